"""The runtime's fixed-point arithmetic for the sandbox, in Python integers.

Why: the sandbox must charge planck for planck what `pallet_broker` and the relay's on-demand
pallet charge, so each rounding step follows sp-arithmetic as the runtime uses it (checked against
the real Coretime runtime by tests/conformance):

- ``FixedU64::from_rational(n, d)``: ``10^9·n/d`` to the nearest, an exact half rounding down.
- ``FixedU64 × FixedU64`` (``saturating_mul``) and ``saturating_mul_int``: floored.
- ``Perbill × integer``: to the nearest, an exact half rounding down.
- ``FixedU128`` (10^18 = 1.0) for the on-demand traffic: ``from_rational`` to the nearest (half
  down), products floored, ``const_checked_div`` to the nearest (half down).

All fixed-point values are their *inner* integers (1.5 as FixedU64 is ``1_500_000_000``).
The broker room and the planner keep separate copies on purpose: the rooms are independent,
and the conformance test is what keeps this copy honest.
"""

from __future__ import annotations

FIXED64_ONE = 10**9
FIXED128_ONE = 10**18
PERBILL_ONE = 10**9
U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1


def div_nearest_half_down(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` to the nearest integer; an exact half rounds down."""
    if denominator <= 0:
        raise ValueError("division by zero in fixed-point arithmetic")
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if remainder * 2 > denominator else 0)


def fixed64_from_rational(n: int, d: int) -> int:
    """`FixedU64::from_rational(n, d)` (the runtime panics on ``d == 0``; here: ValueError)."""
    return min(div_nearest_half_down(n * FIXED64_ONE, d), U64_MAX)


def fixed64_mul(a: int, b: int) -> int:
    """`FixedU64::saturating_mul`: floored, saturating at u64::MAX."""
    return min(a * b // FIXED64_ONE, U64_MAX)


def fixed64_sub(a: int, b: int) -> int:
    """`FixedU64::saturating_sub`: never below zero."""
    return max(a - b, 0)


def fixed64_mul_int(factor: int, n: int) -> int:
    """`FixedU64::saturating_mul_int(n)`: ``floor(factor·n / 10^9)``, saturating at u128::MAX."""
    return min(factor * n // FIXED64_ONE, U128_MAX)


def perbill_mul(perbill: int, n: int) -> int:
    """``Perbill × n``: nearest, an exact half rounding down (``rational_mul_correction``)."""
    return div_nearest_half_down(perbill * n, PERBILL_ONE)


def fixed128_from_rational(n: int, d: int) -> int:
    """`FixedU128::from_rational(n, d)`."""
    return min(div_nearest_half_down(n * FIXED128_ONE, d), U128_MAX)


def fixed128_from_perbill(perbill: int) -> int:
    """`FixedU128::from(Perbill)`: exact, as a Perbill has 9 decimals."""
    return perbill * (FIXED128_ONE // PERBILL_ONE)


def fixed128_mul(a: int, b: int) -> int:
    """`FixedU128::saturating_mul`: floored, saturating at u128::MAX."""
    return min(a * b // FIXED128_ONE, U128_MAX)


def fixed128_half(a: int) -> int:
    """`const_checked_div(2)`: to the nearest, half down, which for a halving is the floor."""
    return div_nearest_half_down(a, 2)


def fixed128_mul_int(factor: int, n: int) -> int:
    """`FixedU128::saturating_mul_int(n)`: ``floor(factor·n / 10^18)``."""
    return min(factor * n // FIXED128_ONE, U128_MAX)
