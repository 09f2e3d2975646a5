"""The runtime's fixed-point arithmetic, rewritten with Python integers, planck for planck.

Why: the Broker prices the lead-in with `FixedU64` (an unsigned u64 holding value × 10^9) and
bumps renewal prices with `Perbill × u128`. A cap or a budget check that differs from the chain
by one planck refuses a valid renewal or lets an overpriced one through, so every rounding step
below follows sp-arithmetic (read in `paritytech/polkadot-sdk:substrate/primitives/arithmetic`):

- ``mul_div(a, b, c, rounding)`` is `multiply_by_rational_with_rounding`: the exact product
  ``a·b`` divided by ``c``; ``NEAREST_PREF_DOWN`` adds one when the remainder is *greater than*
  ``c // 2`` (so an exact half rounds down), ``NEAREST_PREF_UP`` when it is at least
  ``c // 2 + c % 2``. ``None`` when ``c`` is 0 or the result does not fit a u128.
- `fixed_from_rational` is `FixedU64::from_rational`: ``round(10^9 · n / d)``, nearest, an exact
  half rounds down. The runtime panics on ``d == 0`` or overflow; here that is a `ValueError`.
- `fixed_mul` is `Saturating::saturating_mul` on two FixedU64: ``floor(a·b / 10^9)`` (signed
  rounding `Minor`, i.e. toward zero), saturating at ``u64::MAX``.
- `fixed_mul_int` is `saturating_mul_int`: ``floor(f·n / 10^9)``, saturating at ``u128::MAX``.
- `fixed_sub` is `saturating_sub`: never below zero.
- `perbill_mul` is ``Perbill * u128``: ``floor(n/10^9)·p + correction`` where the correction
  rounds ``(n mod 10^9)·p / 10^9`` to nearest with an exact half rounding down. Because
  ``floor(n/10^9)·p`` is a whole number this equals ``round_half_down(n·p / 10^9)``.

All values here are the *inner* integers (a FixedU64 of 1.5 is ``1_500_000_000``).
"""

from __future__ import annotations

from enum import Enum

FIXED_ONE = 1_000_000_000
"""FixedU64::DIV: the inner value of 1.0."""

PERBILL_ONE = 1_000_000_000
U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1


class Rounding(Enum):
    DOWN = "down"
    UP = "up"
    NEAREST_PREF_DOWN = "nearest-pref-down"
    NEAREST_PREF_UP = "nearest-pref-up"


def mul_div(a: int, b: int, c: int, rounding: Rounding) -> int | None:
    """``a·b / c`` with the runtime's rounding; None if ``c == 0`` or the result exceeds u128."""
    if c == 0:
        return None
    result, remainder = divmod(a * b, c)
    if rounding is Rounding.UP:
        bump = remainder > 0
    elif rounding is Rounding.NEAREST_PREF_DOWN:
        bump = remainder > c // 2
    elif rounding is Rounding.NEAREST_PREF_UP:
        bump = remainder >= c // 2 + c % 2
    else:
        bump = False
    result += int(bump)
    return result if result <= U128_MAX else None


def fixed_from_int(n: int) -> int:
    """`FixedU64::from(n)`: ``n · 10^9``, saturating at u64::MAX."""
    return min(n * FIXED_ONE, U64_MAX)


def fixed_from_rational(n: int, d: int) -> int:
    """`FixedU64::from_rational(n, d)`: nearest ``10^9·n/d``, exact halves rounding down."""
    value = mul_div(FIXED_ONE, n, d, Rounding.NEAREST_PREF_DOWN)
    if value is None or value > U64_MAX:
        raise ValueError(f"FixedU64::from_rational({n}, {d}) has no value (the runtime panics)")
    return value


def fixed_mul(a: int, b: int) -> int:
    """FixedU64 × FixedU64, floored, saturating at u64::MAX."""
    value = mul_div(a, b, FIXED_ONE, Rounding.DOWN)
    return U64_MAX if value is None or value > U64_MAX else value


def fixed_sub(a: int, b: int) -> int:
    """FixedU64 saturating subtraction (unsigned: floors at zero)."""
    return max(a - b, 0)


def fixed_mul_int(f: int, n: int) -> int:
    """`FixedU64::saturating_mul_int(n)` for a u128 balance: ``floor(f·n / 10^9)``, saturating."""
    return min(f * n // FIXED_ONE, U128_MAX)  # mul_div(f, n, 10^9, DOWN), inlined: hot path


def perbill_mul(perbill: int, n: int) -> int:
    """``Perbill::from_parts(perbill) * n`` for a u128: nearest, an exact half rounding down.

    `from_parts` clamps the parts to one whole, as the runtime does. This is
    ``mul_div(n, parts, 10^9, NEAREST_PREF_DOWN)`` inlined (it runs for every renewal).
    """
    parts = min(max(perbill, 0), PERBILL_ONE)
    quotient, remainder = divmod(n * parts, PERBILL_ONE)
    if remainder > PERBILL_ONE // 2:
        quotient += 1
    return min(quotient, U128_MAX)


def scale_ceil(n: int, ppb: int) -> int:
    """``n · ppb / 10^9`` rounded up: the agent's own conservative margin (not a chain rule)."""
    return -(-n * max(ppb, 0) // PERBILL_ONE)


def scale_floor(n: int, ppb: int) -> int:
    """``n · ppb / 10^9`` rounded down: the agent's own conservative allowance (not a chain rule)."""
    return n * max(ppb, 0) // PERBILL_ONE


def share_perbill(part: int, whole: int) -> int:
    """``part / whole`` as parts per billion, floored and clamped to [0, 10^9]; 10^9 if whole ≤ 0."""
    if whole <= 0:
        return PERBILL_ONE
    if part <= 0:
        return 0
    return min(part * PERBILL_ONE // whole, PERBILL_ONE)
