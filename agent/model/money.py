"""Money as integer planck, carried with its token.

Why: every budget and price decision must be exact. Amounts are parsed from text like
``150 DOT``, ``0.25 KSM`` or ``1500000000000`` (planck) into integers, or refused; they are never
floats. Ratios (``5%``) are integer parts per billion, the chain's own ``Perbill``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

PERBILL = 1_000_000_000
"""One whole, in parts per billion."""

MAX_PLANCK = 2**128 - 1
"""The chain's Balance is a u128; anything larger cannot be paid."""


class AmountError(ValueError):
    """A text that is not an exact amount of the expected token."""


@dataclass(frozen=True, slots=True)
class Token:
    """A relay token: its symbol and how many decimals one unit has."""

    symbol: str
    decimals: int

    @property
    def unit(self) -> int:
        """Planck in one whole token."""
        return int(10**self.decimals)


@dataclass(frozen=True, slots=True, order=True)
class Amount:
    """An exact amount of a token, in planck. Arithmetic refuses to mix tokens."""

    planck: int
    token: Token

    def __post_init__(self) -> None:
        if isinstance(self.planck, bool) or not isinstance(self.planck, int):
            raise AmountError(f"planck must be an integer, got {type(self.planck).__name__}")

    @classmethod
    def zero(cls, token: Token) -> Amount:
        return cls(0, token)

    def _same(self, other: Amount) -> None:
        if other.token != self.token:
            raise AmountError(f"cannot mix {self.token.symbol} and {other.token.symbol}")

    def __add__(self, other: Amount) -> Amount:
        self._same(other)
        return Amount(self.planck + other.planck, self.token)

    def __sub__(self, other: Amount) -> Amount:
        self._same(other)
        return Amount(self.planck - other.planck, self.token)

    def __str__(self) -> str:
        return format_amount(self.planck, self.token)


_AMOUNT = re.compile(r"^\s*(?P<num>[+-]?[0-9][0-9_]*(?:\.[0-9_]*)?)\s*(?P<sym>[A-Za-z]{2,10})?\s*$")


def parse_amount(text: str | int, token: Token) -> Amount:
    """Parse ``150 DOT``, ``0.25 DOT`` or a bare integer of planck into an exact `Amount`.

    A bare number without a token is planck and must be an integer. A decimal number needs its
    token symbol. Refuses: other tokens, more decimals than the token has, negative amounts and
    amounts beyond a u128.
    """
    if isinstance(text, bool):
        raise AmountError(
            "expected an amount like '150 DOT' or an integer of planck, got a boolean"
        )
    if isinstance(text, int):
        planck = text
    elif isinstance(text, str):
        match = _AMOUNT.match(text)
        if not match:
            raise AmountError(
                f"'{text}' is not an amount; write it like '150 {token.symbol}' or as integer planck"
            )
        num, sym = match.group("num").replace("_", ""), match.group("sym")
        if sym is None:
            if "." in num:
                raise AmountError(
                    f"'{text}' has decimals but no token; write '{num} {token.symbol}'"
                )
            planck = int(num)
        else:
            if sym.upper() != token.symbol.upper():
                raise AmountError(
                    f"'{text}' is in {sym}, but this network's token is {token.symbol}"
                )
            planck = _to_planck(num, token, text)
    else:
        raise AmountError(
            f"expected an amount like '150 {token.symbol}', got {type(text).__name__}"
        )
    if planck < 0:
        raise AmountError(f"'{text}' is negative; amounts are zero or more")
    if planck > MAX_PLANCK:
        raise AmountError(f"'{text}' is larger than any balance the chain can hold")
    return Amount(planck, token)


def _to_planck(num: str, token: Token, text: str) -> int:
    """Scale decimal text to planck with integer arithmetic only.

    `Decimal` arithmetic rounds to 28 significant digits, and a u128 balance has up to 39, so
    the digits are shifted as text instead.
    """
    sign = -1 if num.startswith("-") else 1
    whole, _, frac = num.lstrip("+-").partition(".")
    significant = frac.rstrip("0")
    if len(significant) > token.decimals:
        raise AmountError(
            f"'{text}' has more decimals than {token.symbol} ({token.decimals}); round it"
        )
    return sign * (int(whole) * token.unit + int(significant.ljust(token.decimals, "0") or "0"))


def format_amount(planck: int, token: Token) -> str:
    """Render planck as ``12.5 DOT``: exact, trailing zeros dropped, parseable again."""
    sign = "-" if planck < 0 else ""
    whole, frac = divmod(abs(planck), token.unit)
    frac_text = str(frac).rjust(token.decimals, "0").rstrip("0") if token.decimals else ""
    number = f"{whole}.{frac_text}" if frac_text else str(whole)
    return f"{sign}{number} {token.symbol}"


_PERCENT = re.compile(r"^\s*(?P<num>[0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def parse_percent(text: str | int, *, maximum_perbill: int = PERBILL) -> int:
    """Parse ``5%`` or ``12.5%`` into parts per billion; refuses anything above ``maximum``."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise AmountError(f"expected a percentage like '5%', got {text!r}")
    match = _PERCENT.match(text)
    if not match:
        raise AmountError(f"'{text}' is not a percentage; write it like '5%' or '12.5%'")
    num = match.group("num")
    digits = num.split(".", 1)[1] if "." in num else ""
    if len(digits.rstrip("0")) > 7:
        raise AmountError(f"'{text}' is more precise than a Perbill (7 decimals of a percent)")
    perbill = int(Decimal(num).scaleb(7))
    if perbill > maximum_perbill:
        limit = format_percent(maximum_perbill)
        raise AmountError(f"'{text}' is above the largest allowed value, {limit}")
    return perbill


def format_percent(perbill: int) -> str:
    """Render parts per billion as ``12.5%``."""
    whole, frac = divmod(perbill, 10_000_000)
    frac_text = str(frac).rjust(7, "0").rstrip("0")
    return f"{whole}.{frac_text}%" if frac_text else f"{whole}%"


def apply_perbill(planck: int, perbill: int) -> int:
    """``planck × perbill / 10^9``, floored: the conservative share for budgets."""
    return planck * perbill // PERBILL
