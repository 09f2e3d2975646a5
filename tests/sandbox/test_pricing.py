"""Prices planck for planck: the lead-in curve, adapters, the renewal rule and spot traffic."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.chain.sandbox.fixed import (
    div_nearest_half_down,
    fixed64_from_rational,
    perbill_mul,
)
from agent.chain.sandbox.pricing import (
    CenterTargetPrice,
    FixedPrices,
    MinimumPrice,
    SalePerformance,
    SpotParams,
    leadin_factor,
    next_renewal_price,
    next_traffic,
    sale_price,
    spot_price,
)
from agent.model.chain import SaleInfo

PAS = 10**10
ONE = 10**9


def sale(end_price: int, *, start: int = 1000, leadin: int = 7) -> SaleInfo:
    return SaleInfo(
        sale_start=start,
        leadin_length=leadin,
        end_price=end_price,
        region_begin=15,
        region_end=18,
        ideal_cores_sold=1,
        cores_offered=3,
        first_core=0,
        sellout_price=None,
        cores_sold=0,
    )


@pytest.mark.parametrize(
    ("n", "d", "factor"),
    [
        (0, 1, 100 * ONE),
        (1, 4, 55 * ONE),
        (1, 2, 10 * ONE),
        (3, 4, 5_500_000_000),
        (1, 1, 1 * ONE),
        (2, 7, 48_571_428_520),  # 2/7 rounds up to 0.285714286 before × 180
        (4, 7, 8_714_285_722),  # second branch: 19 − 18 × 0.571428571
    ],
)
def test_leadin_factor(n: int, d: int, factor: int) -> None:
    assert leadin_factor(fixed64_from_rational(n, d)) == factor


@pytest.mark.parametrize(
    ("now", "price"),
    [
        (990, 500 * 100 * PAS),  # before the lead-in: the start price, 100 × end
        (1000, 500 * 100 * PAS),
        (1002, 242_857_142_600_000),  # seen on the real runtime (Paseo, 500 PAS, lead-in 7)
        (1004, 43_571_428_610_000),
        (1007, 500 * PAS),
        (5000, 500 * PAS),  # the fixed price after the lead-in
    ],
)
def test_sale_price_table(now: int, price: int) -> None:
    assert sale_price(sale(500 * PAS), now) == price


@given(
    end=st.integers(1, 10**22),
    leadin=st.integers(1, 200_000),
    elapsed=st.integers(0, 400_000),
)
def test_sale_price_is_the_runtime_formula(end: int, leadin: int, elapsed: int) -> None:
    """An independent derivation with fractions: round, scale, floor — as sp-arithmetic does."""
    n = min(elapsed, leadin)
    through = Fraction(n * ONE, leadin)
    through_inner = int(through) + (1 if through - int(through) > Fraction(1, 2) else 0)
    if through_inner <= ONE // 2:
        factor = 100 * ONE - 180 * through_inner
    else:
        factor = 19 * ONE - 18 * through_inner
    price = sale_price(sale(end, leadin=leadin), 1000 + elapsed)
    assert price == max(factor, 0) * end // ONE
    assert end <= price <= 100 * end


@given(
    end=st.integers(1, 10**20),
    leadin=st.integers(1, 1000),
    a=st.integers(0, 2000),
    b=st.integers(0, 2000),
)
def test_sale_price_never_rises_with_time(end: int, leadin: int, a: int, b: int) -> None:
    early, late = sorted((a, b))
    info = sale(end, leadin=leadin)
    assert sale_price(info, 1000 + early) >= sale_price(info, 1000 + late)


@pytest.mark.parametrize(
    ("perbill", "n", "result"),
    [
        (30_000_000, 242_857_142_600_000, 7_285_714_278_000),
        (33_333_333, 5 * 10**12, 166_666_665_000),
        (500_000_000, 3, 1),  # 1.5: an exact half rounds down
        (500_000_000, 5, 2),  # 2.5 → 2
        (600_000_000, 5, 3),
        (625_000_000, 4, 2),  # 2.5 → 2 (ideal cores sold on the real runtime)
        (1, 499_999_999, 0),
        (1, 500_000_001, 1),
    ],
)
def test_perbill_mul_rounds_to_nearest_half_down(perbill: int, n: int, result: int) -> None:
    assert perbill_mul(perbill, n) == result


@given(a=st.integers(0, 10**30), b=st.integers(1, 10**12))
def test_nearest_half_down_matches_fractions(a: int, b: int) -> None:
    exact = Fraction(a, b)
    floor = a // b
    expected = floor + 1 if exact - floor > Fraction(1, 2) else floor
    assert div_nearest_half_down(a, b) == expected


@pytest.mark.parametrize(
    ("old", "end_price", "price_now", "expected", "why"),
    [
        (1000 * PAS, 500 * PAS, 50_000 * PAS, 1030 * PAS, "interlude: old + 3%"),
        (400 * PAS, 500 * PAS, 50_000 * PAS, 500 * PAS, "never below the end price"),
        (1000 * PAS, 500 * PAS, 500 * PAS, 500 * PAS, "late: capped by the current price"),
        (1000 * PAS, 500 * PAS, 800 * PAS, 800 * PAS, "in the lead-in: capped by its price"),
    ],
)
def test_next_renewal_price(
    old: int, end_price: int, price_now: int, expected: int, why: str
) -> None:
    got = next_renewal_price(old=old, bump=30_000_000, end_price=end_price, price_now=price_now)
    assert got == expected, why


@pytest.mark.parametrize(
    ("adapter", "sellout", "end", "new_end", "target"),
    [
        (CenterTargetPrice(), None, 100, 100, 1000),
        (CenterTargetPrice(), 1000, 100, 100, 1000),
        (CenterTargetPrice(), 10_000, 100, 1000, 10_000),
        (CenterTargetPrice(), 5, 100, 5, 5),  # a tenth would be 0: keep the sellout price
        (MinimumPrice(10), 10, 10, 10, 10),
        (MinimumPrice(10), 12, 10, 10, 12),
        (MinimumPrice(50), 100, 10, 50, 100),
        (FixedPrices(500, 750), 10**9, 1, 500, 750),
    ],
)
def test_adapters(
    adapter: object, sellout: int | None, end: int, new_end: int, target: int
) -> None:
    prices = adapter.adapt(SalePerformance(sellout, end))  # type: ignore[attr-defined]
    assert (prices.end_price, prices.target_price) == (new_end, target)


SPOT = SpotParams(
    base_fee=10**7, max_queue_size=100, target_utilization=250_000_000, fee_variability=30_000_000
)


@pytest.mark.parametrize(
    ("traffic", "queue", "expected"),
    [
        (10**18, 0, 10**18),  # empty queue: stays at the floor
        (3 * 10**18, 0, 10**18),  # below target collapses to the floor quickly
        (10**18, 25, 10**18),  # exactly at target: × (1 + 0 + 0)
        (10**18, 50, 1_250_028_125_000_000_000),  # d = 0.25: × (1 + 0.25 + (0.03·0.25)²/2)
        (10**18, 100, 1_750_253_125_000_000_000),
    ],
)
def test_spot_traffic(traffic: int, queue: int, expected: int) -> None:
    assert next_traffic(traffic, queue, SPOT) == expected


@given(traffic=st.integers(10**18, 10**24), queue=st.integers(0, 100))
def test_spot_traffic_never_below_the_floor(traffic: int, queue: int) -> None:
    new = next_traffic(traffic, queue, SPOT)
    assert new >= SPOT.traffic_floor
    assert spot_price(new, SPOT.base_fee) >= SPOT.base_fee
