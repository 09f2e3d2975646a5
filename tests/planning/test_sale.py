"""Sale phases, timing and prices: both curves, both block-unit generations, every boundary."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.model.chain import BlockUnits
from agent.planner import (
    Phase,
    PriceCurve,
    RenewalRule,
    curve_for,
    leadin_factor,
    leadin_fraction,
    next_renewal_price,
    phase_at,
    renewal_rule_for,
    sale_clock,
    sale_price,
    target_price,
)
from agent.planner.index import build_index
from tests.planning.builders import (
    DOT,
    END_PRICE,
    INTERLUDE,
    LEADIN,
    LEADIN_END,
    NEXT_ROTATION,
    REGION_BEGIN,
    ROTATION,
    SALE_START,
    caps,
    pct,
    sale,
    snapshot,
)

B = 10**9
CT, LIN = PriceCurve.CENTER_TARGET, PriceCurve.LINEAR


# -- the curve itself: the runtime's own test vectors ----------------------------------------
@pytest.mark.parametrize(
    ("x", "curve", "factor"),
    [
        (0, CT, 100 * B),
        (B // 4, CT, 55 * B),
        (B // 2, CT, 10 * B),
        (B // 2 + 1, CT, 19 * B - 18 * (B // 2 + 1)),  # just past the kink: second line
        (3 * B // 4, CT, 5_500_000_000),
        (B, CT, B),
        (0, LIN, 2 * B),
        (B // 2, LIN, 1_500_000_000),
        (B, LIN, B),
    ],
)
def test_leadin_factor(x: int, curve: PriceCurve, factor: int) -> None:
    assert leadin_factor(x, curve) == factor


def test_the_kink_is_continuous_at_one_half() -> None:
    # both lines give 10 at x = 1/2; the first line is used there (x <= 1/2)
    assert leadin_factor(B // 2, CT) == 19 * B - 18 * (B // 2)


# -- price at a block: boundaries of the lead-in ------------------------------------------------
@pytest.mark.parametrize(
    ("offset", "curve", "price"),
    [
        (-1, CT, 100 * END_PRICE),  # interlude: x = 0
        (0, CT, 100 * END_PRICE),  # sale_start itself: x = 0
        (1, CT, 100 * END_PRICE - 180 * END_PRICE // LEADIN),  # one block in: exact here
        (LEADIN // 2 - 1, CT, 10 * END_PRICE + 180 * END_PRICE // LEADIN),
        (LEADIN // 2, CT, 10 * END_PRICE),  # x = 0.5: the target
        (LEADIN // 2 + 1, CT, 10 * END_PRICE - 18 * END_PRICE // LEADIN),
        (LEADIN - 1, CT, END_PRICE + 18 * END_PRICE // LEADIN),
        (LEADIN, CT, END_PRICE),  # x = 1
        (LEADIN + 1, CT, END_PRICE),  # fixed price
        (10 * LEADIN, CT, END_PRICE),
        (-1, LIN, 2 * END_PRICE),
        (LEADIN // 2, LIN, 3 * END_PRICE // 2),
        (LEADIN, LIN, END_PRICE),
        (LEADIN + 1, LIN, END_PRICE),
    ],
)
def test_price_at_boundaries(offset: int, curve: PriceCurve, price: int) -> None:
    # LEADIN = 100_800 divides 10^9·n exactly only where checked above; 1/100_800 of 10^9 is
    # 9920.63…, so one block in, x rounds to 9921 and the price is 100·end − 180·9921·end/10^9
    s = sale()
    got = sale_price(s, SALE_START + offset, curve)
    if offset in (1, LEADIN // 2 - 1, LEADIN // 2 + 1, LEADIN - 1):
        x = fixed_x(offset, LEADIN)
        factor = 100 * B - 180 * x if x <= B // 2 else 19 * B - 18 * x
        assert got == factor * END_PRICE // B
        assert abs(got - price) <= END_PRICE * 180 // B + 1
    else:
        assert got == price


def fixed_x(n: int, d: int) -> int:
    """Independent restatement of from_rational: nearest, ties down, via Fraction."""
    exact = Fraction(n * B, d)
    floor = exact.numerator // exact.denominator
    return floor + (1 if exact - floor > Fraction(1, 2) else 0)


def test_rounding_of_x_shows_in_planck() -> None:
    # lead-in of 3 blocks, end price 10 DOT: x(2/3) rounds up to 0.666666667, so the factor is
    # 19 − 18·0.666666667 = 6.999999994 and the price is 600 planck below the exact 70 DOT.
    s = sale(sale_start=0, leadin_length=3, end_price=10 * DOT)
    assert sale_price(s, 1, CT) == 4_000_000_006_000  # x = 0.333333333: 40.00000006 × 10 DOT
    assert sale_price(s, 2, CT) == 699_999_999_400
    assert sale_price(s, 3, CT) == 10 * DOT


def test_zero_leadin_is_fixed_price_not_a_crash() -> None:
    s = sale(leadin_length=0)
    assert leadin_fraction(s, SALE_START) == B
    assert sale_price(s, SALE_START, CT) == END_PRICE


@given(
    st.integers(1, 200_000),
    st.integers(0, 10**20),
    st.integers(-1000, 300_000),
    st.sampled_from([CT, LIN]),
)
def test_price_is_close_to_the_exact_curve(
    leadin: int, end: int, n: int, curve: PriceCurve
) -> None:
    s = sale(sale_start=1000, leadin_length=leadin, end_price=end)
    x = Fraction(min(max(n, 0), leadin), leadin)
    if curve is CT:
        exact = (100 - 180 * x if x <= Fraction(1, 2) else 19 - 18 * x) * end
    else:
        exact = (2 - x) * end
    got = sale_price(s, 1000 + n, curve)
    # x is off by at most half a 10^-9 unit, times a slope of at most 180, then floored
    assert abs(got - exact) <= Fraction(180 * end, 2 * B) + 1


@given(st.integers(1, 50_000), st.integers(0, 10**15), st.sampled_from([CT, LIN]), st.data())
def test_price_never_rises_and_stays_in_bounds(
    leadin: int, end: int, curve: PriceCurve, data: st.DataObject
) -> None:
    s = sale(sale_start=0, leadin_length=leadin, end_price=end)
    a = data.draw(st.integers(-10, leadin + 10))
    b = data.draw(st.integers(a, leadin + 20))
    top = 100 if curve is CT else 2
    assert end <= sale_price(s, b, curve) <= sale_price(s, a, curve) <= top * end


# -- target and renewal prices ---------------------------------------------------------------
def test_target_price() -> None:
    assert target_price(sale(), CT) == 10 * END_PRICE
    assert target_price(sale(), LIN) == END_PRICE


@pytest.mark.parametrize(
    ("old", "bump", "now", "rule", "expected"),
    [
        # in the interlude the sale price is 100 × end: the bumped old price wins
        (50 * DOT, pct(3), SALE_START - 5, RenewalRule.FLOORED, 51_5 * DOT // 10),
        (50 * DOT, pct(3), SALE_START - 5, RenewalRule.CAPPED, 51_5 * DOT // 10),
        # old + bump below end_price: floored to end_price (RFC-149) vs not (Gen-1)
        (5 * DOT, pct(3), SALE_START - 5, RenewalRule.FLOORED, END_PRICE),
        (5 * DOT, pct(3), SALE_START - 5, RenewalRule.CAPPED, 5_15 * DOT // 100),
        # renewing late at the fixed price caps the next price at end_price
        (50 * DOT, pct(3), LEADIN_END, RenewalRule.FLOORED, END_PRICE),
        (50 * DOT, pct(3), LEADIN_END, RenewalRule.CAPPED, END_PRICE),
        # Perbill rounding: 1.5 planck → 1; 2.5 → 2; 2.6 → 3
        (3, pct(50), SALE_START, RenewalRule.CAPPED, 4),
        (5, pct(50), SALE_START, RenewalRule.CAPPED, 7),
        (26, pct(10), SALE_START, RenewalRule.CAPPED, 29),
    ],
)
def test_next_renewal_price(
    old: int, bump: int, now: int, rule: RenewalRule, expected: int
) -> None:
    assert next_renewal_price(old, bump, sale(), now, CT, rule) == expected


def test_generation_detection() -> None:
    old = caps(BlockUnits.PARACHAIN, sale_price_field="price")
    assert curve_for(old) is LIN and renewal_rule_for(old) is RenewalRule.CAPPED
    assert curve_for(caps()) is CT and renewal_rule_for(caps()) is RenewalRule.FLOORED


# -- phases and the sale clock -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "phase"),
    [
        (ROTATION, Phase.INTERLUDE),
        (SALE_START - 1, Phase.INTERLUDE),
        (SALE_START, Phase.INTERLUDE),  # purchase is TooEarly while now <= sale_start
        (SALE_START + 1, Phase.LEADIN),
        (LEADIN_END - 1, Phase.LEADIN),
        (LEADIN_END, Phase.FIXED_PRICE),
        (NEXT_ROTATION - 1, Phase.FIXED_PRICE),
    ],
)
def test_phase_boundaries(now: int, phase: Phase) -> None:
    assert phase_at(sale(), now) is phase
    clock = sale_clock(snapshot(now))
    assert clock is not None and clock.phase is phase
    assert clock.purchase_open is (phase is not Phase.INTERLUDE)


@pytest.mark.parametrize(
    ("now", "elapsed"),
    [
        (ROTATION, 0),
        (ROTATION + INTERLUDE // 20, pct(5)),
        (ROTATION + INTERLUDE // 20 - 1, pct(5) - 9921),  # one block = 9920.6 ppb, floored
        (ROTATION + INTERLUDE // 2, pct(50)),
        (SALE_START, pct(100)),
        (LEADIN_END, pct(100)),
    ],
)
def test_interlude_elapsed(now: int, elapsed: int) -> None:
    clock = sale_clock(snapshot(now))
    assert clock is not None
    assert clock.interlude_elapsed == elapsed


def test_clock_timing_in_relay_units() -> None:
    clock = sale_clock(snapshot(SALE_START - 100))
    assert clock is not None
    assert clock.rotation == ROTATION == clock.rotation_relay
    assert clock.blocks_to_sale_start == 100
    assert clock.blocks_to_fixed_price == 100 + LEADIN
    assert clock.next_rotation_relay == NEXT_ROTATION
    assert clock.relay_blocks_to_rotation == NEXT_ROTATION - SALE_START + 100
    assert clock.region_begin == REGION_BEGIN


def test_clock_uses_coretime_blocks_on_old_runtimes() -> None:
    # Gen-1..3: sale_start, lead-in and interlude count Coretime-chain blocks; the relay block
    # is unrelated, and the phase, share and price follow the Coretime block.
    snap = snapshot(
        7_000_000,
        units=BlockUnits.PARACHAIN,
        coretime_block=2_000 + 50,
        capabilities=caps(BlockUnits.PARACHAIN, sale_price_field="price"),
        sale_changes={"sale_start": 2_000, "leadin_length": 100},
        config_changes={"interlude_length": 200, "leadin_length": 100},
    )
    clock = sale_clock(snap)
    assert clock is not None
    assert clock.phase is Phase.LEADIN
    assert clock.now == 2_050 and clock.relay_now == 7_000_000
    assert clock.rotation == 1_800
    assert clock.interlude_elapsed == B
    index = build_index(snap)
    assert index.curve is LIN
    assert index.sale_price_now == 3 * END_PRICE // 2  # Linear at x = 0.5
    # the rotation's relay block is derived from the region: (10000 − 5040)·80 − 20
    assert clock.rotation_relay == ROTATION


def test_no_clock_without_sale_or_config() -> None:
    assert sale_clock(snapshot(with_sale=False)) is None
    assert sale_clock(snapshot(with_config=False)) is None
