"""Scenarios for `simulate`: how the market moves from sale to sale.

Why: a forecast is only as good as its assumption about prices, so the assumption is named
and explicit. ``steady`` keeps every sale's end price, ``rising`` adds 10% a sale, ``spike``
quadruples the third future sale's price for one sale, and a FILE lists the end price of each
future sale (the last one repeats). Prices in a file are exact amounts: a bare number is whole
tokens of each policy's network (so one file fits every network), ``120 DOT`` names the token
and then only fits that network. Errors are one line naming the file and the entry.

File forms: YAML, a list (``[100, 120, "150.5 DOT"]``) or ``{prices: [...]}``; or CSV, one price
per row, optionally with a header (the column named ``price`` or ``end_price`` is used, else
the last column).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from agent.chain.sandbox import Rising, Scripted, Spike, Steady
from agent.chain.sandbox.pricing import PricePath
from agent.errors import SettingsError
from agent.model.money import AmountError, Token, parse_amount

NAMED: dict[str, PricePath] = {"steady": Steady(), "rising": Rising(), "spike": Spike()}
_BARE = re.compile(r"^[0-9][0-9_]*(\.[0-9_]+)?$")
_PRICE = re.compile(r"^[0-9][0-9_]*(\.[0-9_]+)?(\s*[A-Za-z]{2,10})?$")
_HEADERS = ("price", "end_price", "end price", "endprice")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    """``steady``, ``rising``, ``spike`` or the file's name."""
    named: PricePath | None = None
    prices: tuple[str, ...] = ()
    """The file's entries as written, checked per token by `path_for`."""
    source: str = ""

    def path_for(self, token: Token) -> PricePath:
        """The price path in ``token``'s planck (a file's amounts are converted exactly)."""
        if self.named is not None:
            return self.named
        return Scripted(tuple(self._planck(i, text, token) for i, text in enumerate(self.prices)))

    def _planck(self, index: int, text: str, token: Token) -> int:
        where = f"scenario {self.source}: price {index + 1} '{text}'"
        value = text.strip()
        if _BARE.match(value):
            value = f"{value} {token.symbol}"
        try:
            planck = parse_amount(value, token).planck
        except AmountError as exc:
            raise SettingsError(f"{where}: {exc}") from None
        if planck <= 0:
            raise SettingsError(f"{where}: an end price must be above zero")
        return planck


def load_scenario(value: str) -> Scenario:
    """A named scenario, or one read from a YAML or CSV file."""
    if value in NAMED:
        return Scenario(value, named=NAMED[value])
    path = Path(value)
    if not path.is_file():
        known = ", ".join(NAMED)
        raise SettingsError(
            f"scenario '{value}' is neither {known} nor a file",
            hint="give a YAML or CSV file with one end price per sale",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"scenario {path}: cannot read it: {exc}") from None
    rows = _csv_prices(text) if path.suffix.lower() == ".csv" else _yaml_prices(text, path)
    if not rows:
        raise SettingsError(f"scenario {path}: no prices in it", hint="list one price per sale")
    for i, price in enumerate(rows):  # the form now, the token per network later
        if not _PRICE.match(price):
            raise SettingsError(
                f"scenario {path}: price {i + 1} '{price}' is not a price",
                hint="write 120, 120.5 or '120 DOT'",
            )
    return Scenario(path.name, prices=tuple(rows), source=str(path))


def _yaml_prices(text: str, path: Path) -> list[str]:
    try:
        data: Any = YAML(typ="base", pure=True).load(text)
    except YAMLError as exc:
        first = str(exc).strip().splitlines()
        raise SettingsError(
            f"scenario {path}: not valid YAML: {first[-1] if first else exc}"
        ) from None
    if isinstance(data, dict):
        data = data.get("prices", data.get("endPrices"))
    if not isinstance(data, list):
        raise SettingsError(f"scenario {path}: expected a list of end prices (or 'prices: [...]')")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, str) or not item.strip():
            raise SettingsError(f"scenario {path}: price {i + 1} is not a number or an amount")
        out.append(item.strip())
    return out


def _csv_prices(text: str) -> list[str]:
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        return []
    column = -1
    header = [c.strip().lower() for c in rows[0]]
    if not _looks_like_price(rows[0][-1]):
        column = next((header.index(h) for h in _HEADERS if h in header), -1)
        rows = rows[1:]
    return [_cell(r, column) for r in rows]


def _cell(row: Sequence[str], column: int) -> str:
    return row[column].strip() if -len(row) <= column < len(row) else ""


def _looks_like_price(cell: str) -> bool:
    return bool(_PRICE.match(cell.strip()))
