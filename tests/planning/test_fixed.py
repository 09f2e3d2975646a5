"""The runtime's fixed-point rounding, one table per operation, and properties against Fractions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.planner.fixed import (
    U64_MAX,
    U128_MAX,
    Rounding,
    fixed_from_rational,
    fixed_mul,
    fixed_mul_int,
    fixed_sub,
    mul_div,
    perbill_mul,
    scale_ceil,
    scale_floor,
    share_perbill,
)

B = 10**9


@pytest.mark.parametrize(
    ("n", "d", "inner"),
    [
        (0, 7, 0),
        (1, 1, B),
        (1, 2, 500_000_000),
        (1, 4, 250_000_000),
        (1, 3, 333_333_333),  # remainder 1 ≤ 3 // 2: stays down
        (2, 3, 666_666_667),  # remainder 2 > 1: up
        (1, 2 * B, 0),  # exactly half a unit: ties round down
        (3, 2 * B, 1),  # 1.5 units: down
        (5, 2 * B, 2),  # 2.5 units: down
        (2_000_000_001, 4 * B, 500_000_000),  # 0.25 over a half-unit: down
        (2_000_000_003, 4 * B, 500_000_001),  # 0.75 over: up
        (7, 6, 1_166_666_667),
    ],
)
def test_from_rational_rounds_to_nearest_with_halves_down(n: int, d: int, inner: int) -> None:
    assert fixed_from_rational(n, d) == inner


@pytest.mark.parametrize(("n", "d"), [(1, 0), (U64_MAX, 1)])
def test_from_rational_refuses_what_the_runtime_panics_on(n: int, d: int) -> None:
    with pytest.raises(ValueError, match="from_rational"):
        fixed_from_rational(n, d)


@pytest.mark.parametrize(
    ("a", "b", "c", "rounding", "expected"),
    [
        (7, 1, 2, Rounding.DOWN, 3),
        (7, 1, 2, Rounding.UP, 4),
        (7, 1, 2, Rounding.NEAREST_PREF_DOWN, 3),
        (7, 1, 2, Rounding.NEAREST_PREF_UP, 4),
        (8, 1, 3, Rounding.NEAREST_PREF_DOWN, 3),  # 2.67
        (7, 1, 3, Rounding.NEAREST_PREF_UP, 2),  # 2.33
        (6, 1, 3, Rounding.UP, 2),  # exact
        (1, 1, 0, Rounding.DOWN, None),
        (U128_MAX, 2, 1, Rounding.DOWN, None),
        (U128_MAX, 2, 2, Rounding.DOWN, U128_MAX),
    ],
)
def test_mul_div(a: int, b: int, c: int, rounding: Rounding, expected: int | None) -> None:
    assert mul_div(a, b, c, rounding) == expected


@pytest.mark.parametrize(
    ("perbill", "n", "expected"),
    [
        (330_000_000, 10, 3),
        (340_000_000, 10, 3),
        (350_000_000, 10, 3),  # 3.5: an exact half rounds down
        (360_000_000, 10, 4),
        (500_000_000, 1, 0),
        (500_000_000, 3, 1),
        (500_000_001, 1, 1),
        (30_000_000, 50 * 10**10, 15 * 10**9),  # 3% of 50 DOT = 1.5 DOT exactly
        (30_000_000, 33, 1),  # 0.99
        (2 * B, 10, 10),  # from_parts clamps to 100%
        (B, U128_MAX, U128_MAX),
        (0, U128_MAX, 0),
    ],
)
def test_perbill_mul_is_nearest_with_halves_down(perbill: int, n: int, expected: int) -> None:
    assert perbill_mul(perbill, n) == expected


def _runtime_perbill_split(p: int, n: int) -> int:
    """The runtime's own shape: floor(n / 10^9)·p + rounded correction of the remainder."""
    q, rem = divmod(n, B)
    corr, rest = divmod(rem * p, B)
    if rest > B // 2:
        corr += 1
    return q * p + corr


@given(st.integers(0, B), st.integers(0, U128_MAX))
def test_perbill_mul_matches_the_split_form(p: int, n: int) -> None:
    assert perbill_mul(p, n) == _runtime_perbill_split(p, n)


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_from_rational_is_within_half_a_unit(n: int, d: int) -> None:
    exact = Fraction(n * B, d)
    if exact > U64_MAX:
        return
    got = fixed_from_rational(n, d)
    assert abs(got - exact) <= Fraction(1, 2)
    if got - exact == Fraction(1, 2):  # a tie went up: never
        pytest.fail("a tie rounded up")


def test_fixed_mul_and_sub_floor_and_saturate() -> None:
    assert fixed_mul(333_333_333, 180 * B) == 333_333_333 * 180
    assert fixed_mul(1, 1) == 0  # 10^-18 floors to zero
    assert fixed_mul(U64_MAX, 2 * B) == U64_MAX
    assert fixed_sub(5, 7) == 0
    assert fixed_sub(7, 5) == 2


@pytest.mark.parametrize(
    ("f", "n", "expected"),
    [
        (55 * B, 10 * 10**10, 550 * 10**10),
        (1_500_000_001, 3, 4),  # 4.5000000003 floors
        (999_999_999, 1, 0),
        (100 * B, U128_MAX, U128_MAX),  # saturates
    ],
)
def test_fixed_mul_int_floors(f: int, n: int, expected: int) -> None:
    assert fixed_mul_int(f, n) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 10, 0),
        (-5, 10, 0),
        (5, 10, 500_000_000),
        (10, 10, B),
        (11, 10, B),
        (1, 0, B),
        (1, 3, 333_333_333),
    ],
)
def test_share_perbill(part: int, whole: int, expected: int) -> None:
    assert share_perbill(part, whole) == expected


def test_agent_margins_round_conservatively() -> None:
    assert scale_ceil(10, 150_000_000) == 2  # 1.5 → 2
    assert scale_floor(10, 150_000_000) == 1
    assert scale_ceil(10, 100_000_000) == 1  # exact stays
    assert scale_floor(100, 10 * B) == 1000  # 1000%
