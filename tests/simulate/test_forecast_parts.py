"""The forecast's parts: scenario files, where a sale's ticks fall, and on-demand projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.chain.sandbox import POLKADOT_BROKER, Scripted
from agent.guard.budget import BudgetBook
from agent.model.chain import SaleInfo
from agent.model.money import Token
from agent.model.network import NetworkRegistry
from agent.model.outcome import SpendEntry
from agent.model.policy import LoadedPolicy
from agent.planner import PriceCurve, sale_price
from agent.policy import load_policies
from agent.runtime.simulate_ondemand import chunk_length, orders_per_hour, project
from agent.runtime.simulate_scenario import load_scenario
from agent.runtime.simulate_schedule import AFTER, crossing, tick_points

DOT, KSM = Token("DOT", 10), Token("KSM", 12)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "text", "dot", "ksm"),
    [
        ("a.yaml", "[100, 12.5]\n", (100 * 10**10, 125 * 10**9), (100 * 10**12, 125 * 10**11)),
        (
            "b.yaml",
            "prices:\n  - 7\n  - '0.25'\n",
            (7 * 10**10, 25 * 10**8),
            (7 * 10**12, 25 * 10**10),
        ),
        ("c.csv", "90\n1_000\n", (90 * 10**10, 1000 * 10**10), (90 * 10**12, 1000 * 10**12)),
        ("d.csv", "sale,end_price,note\n1,3,x\n", (3 * 10**10,), (3 * 10**12,)),
    ],
)
def test_bare_numbers_are_whole_tokens_of_each_network(
    tmp_path: Path, name: str, text: str, dot: tuple[int, ...], ksm: tuple[int, ...]
) -> None:
    (tmp_path / name).write_text(text)
    scenario = load_scenario(str(tmp_path / name))
    for token, expected in ((DOT, dot), (KSM, ksm)):
        path = scenario.path_for(token)
        assert isinstance(path, Scripted) and path.prices == expected


def _sale(start: int = 100_000, lead: int = 100_800, end: int = 10**12) -> SaleInfo:
    return SaleInfo(start, lead, end, 1_000, 6_040, 2, 5, 0, end, 0)


@given(st.integers(1, 300_000), st.integers(1, 10**15), st.integers(0, 2 * 10**17))
def test_the_purchase_tick_is_the_first_block_at_or_below_the_threshold(
    lead: int, end: int, threshold: int
) -> None:
    sale = _sale(lead=lead, end=end)
    found = crossing(sale, threshold)
    price = lambda now: sale_price(sale, now, PriceCurve.CENTER_TARGET)  # noqa: E731
    if found is None:
        assert price(sale.sale_start + lead) > threshold
    else:
        assert price(found) <= threshold
        assert found == sale.sale_start + 1 or price(found - 1) > threshold


POLICIES = load_policies([Path(__file__).resolve().parents[2] / "policies"], NetworkRegistry())


def _policy(name: str) -> LoadedPolicy:
    found = POLICIES.by_name(name)
    assert found is not None
    return found


def _polkadot_sale() -> tuple[SaleInfo, int]:
    """A sale with Polkadot's timing: the rotation that opened it, then interlude and lead-in."""
    config, begin = POLKADOT_BROKER, 10_000
    rotation = (begin - config.region_length) * 80 - config.advance_notice
    start = rotation + config.interlude_length
    sale = SaleInfo(start, config.leadin_length, 10**12, begin, begin + 5040, 2, 5, 0, None, 0)
    return sale, rotation


def test_ticks_fall_on_start_after_deadline_and_the_purchase_points() -> None:
    config = POLKADOT_BROKER
    sale, rotation = _polkadot_sale()
    acala = tick_points([_policy("acala")], sale, config, period=80, rotation=rotation, sample=0)
    # acala: startAfter 5% and deadline 60% of the 100,800-block interlude
    assert acala == [rotation + AFTER, rotation + 5040 + AFTER, rotation + 60480 + AFTER]
    buyer = tick_points(
        [_policy("westend-bootstrap")], sale, config, period=80, rotation=rotation, sample=0
    )
    cross = crossing(sale, 10 * 10**12)  # atOrBelow 10 WND; the sale ends at 1 WND
    assert cross is not None and sale.sale_start < cross < sale.sale_start + sale.leadin_length
    assert cross + AFTER in buyer
    end = sale.region_begin * 80 - config.advance_notice
    assert rotation + (end - rotation) // 2 + AFTER in buyer  # assignBefore 50%
    assert all(rotation < p < end for p in buyer)


def test_on_demand_is_sampled_every_interval() -> None:
    config = POLKADOT_BROKER
    sale, rotation = _polkadot_sale()
    week = 7 * 86400 // 6
    points = tick_points(
        [_policy("paseo-parathread")], sale, config, period=80, rotation=rotation, sample=week
    )
    assert points == list(range(rotation + AFTER, sale.region_begin * 80 - 10 - AFTER, week))


def test_a_projection_never_exceeds_a_rolling_budget() -> None:
    thread = _policy("paseo-parathread")  # 20 PAS per 24h, 300 PAS per month, 30 orders/h
    assert orders_per_hour(thread, 6) == 30 and chunk_length(thread) == timedelta(days=1)
    unit = 10**9  # 0.1 PAS an order: 720 a day would cost 72 PAS
    sampled = SpendEntry(thread.name, "act_sampled", unit, T0, None, False)  # already in the ledger
    got = project(
        thread, [sampled], start=T0, length=timedelta(days=7), sale=None, unit=unit, block_seconds=6
    )
    cap = thread.policy.spec.on_demand.max_spot_price
    assert cap is not None
    # per day: n orders fit while (n - 1) x 0.1 + maxSpotPrice 0.5 <= 20 PAS, so n = 196
    per_day = (20 * 10**10 - cap.planck) // unit + 1
    assert [c.planck for c in got.chunks] == [(per_day - 1) * unit] + [per_day * unit] * 6
    assert got.orders == 7 * per_day - 1  # the sampled order is not projected again
    assert got.refused == 7 * 720 - 7 * per_day
    assert got.reason is not None and "20 PAS per 1d" in got.reason
    for chunk in got.chunks:  # the guard itself agrees each day's spend fits
        entries: list[SpendEntry] = [sampled, *(c for c in got.chunks if c.at < chunk.at)]
        limits = thread.policy.spec.budget.limits
        used = BudgetBook(limits, entries, chunk.at).used(0, None)
        assert used.total + chunk.planck + cap.planck - unit <= 20 * 10**10


def test_a_monthly_budget_stops_projection_across_samples() -> None:
    thread = _policy("paseo-parathread")
    unit = 3 * 10**8  # 0.03 PAS: 21.6 PAS a day (rolling limit 20 PAS), month limit 300 PAS
    known: list[SpendEntry] = []
    paid = 0
    for week in range(5):
        got = project(
            thread,
            known,
            start=T0 + timedelta(weeks=week),
            length=timedelta(weeks=1),
            sale=None,
            unit=unit,
            block_seconds=6,
        )
        known += got.chunks
        paid += got.paid
    march = sum(c.planck for c in known if c.at.month == 3)
    assert march <= 300 * 10**10 and paid >= 290 * 10**10  # the month's limit binds
