"""Invariant 2 as properties: approved actions never push spent + reserved past any limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.guard import admit, check, in_period, usage
from agent.model.actions import Action, Plan
from agent.model.outcome import LedgerView, SpendEntry
from agent.model.policy import LoadedPolicy, PeriodKind, parse_period
from tests.guarding.helpers import NOW, SALE, action, spend
from tests.planning.builders import policy

SALES = [SALE, SALE + 5040, None]
periods = st.sampled_from(["sale", "month", "total", "1d", "30d", "12h"])
limits = st.lists(st.tuples(periods, st.integers(0, 1_000)), min_size=1, max_size=4)
entries = st.lists(
    st.builds(
        lambda planck, hours, sale, reserved, i: spend(
            planck, at=NOW - timedelta(hours=hours), sale=sale, reserved=reserved, tag=i
        ),
        st.integers(0, 400),
        st.integers(0, 24 * 70),
        st.sampled_from(SALES),
        st.booleans(),
        st.integers(0, 10**6),
    ),
    max_size=8,
)
actions = st.lists(st.tuples(st.integers(0, 400), st.sampled_from(SALES)), max_size=10)


def budget_policy(items: list[tuple[str, int]]) -> LoadedPolicy:
    return policy(budget={"limits": [{"period": p, "amount": a} for p, a in items]})


@settings(max_examples=300, deadline=None)
@given(limits, entries, actions)
def test_check_never_approves_past_a_limit(
    items: list[tuple[str, int]], spent: list[SpendEntry], wanted: list[tuple[int, int | None]]
) -> None:
    loaded = budget_policy(items)
    plan = Plan(actions=tuple(action(c, n=i, sale=s) for i, (c, s) in enumerate(wanted)))
    view = LedgerView(entries=tuple(spent))
    result = check(plan, [loaded], view, NOW)
    assert len(result.approved) + len(result.refused) == len(plan.actions)
    paying = [a for a in result.approved if a.max_cost > 0]
    for limit in loaded.policy.spec.budget.limits:
        for ref in paying:
            # the period as seen from each approved action: ledger + every approved action in it
            used = usage(limit.period, view.entries, result.approved, ref.sale, NOW)
            assert used.total <= limit.amount.planck, (limit, ref)


@settings(max_examples=200, deadline=None)
@given(
    limits,
    st.lists(
        st.tuples(
            st.integers(0, 400),  # cost
            st.sampled_from(SALES),
            st.integers(0, 24 * 40),  # hours that pass before this action
            st.integers(0, 100),  # share of the reservation actually spent, in %
        ),
        max_size=12,
    ),
)
def test_admit_keeps_the_ledger_within_every_limit_over_time(
    items: list[tuple[str, int]], steps: list[tuple[int, int | None, int, int]]
) -> None:
    """A toy ledger: admitted actions become reservations, which later settle at or below."""
    loaded = budget_policy(items)
    rows: list[SpendEntry] = []
    now = NOW
    for i, (cost, sale, hours, share) in enumerate(steps):
        now = now + timedelta(hours=hours)
        # settle the previous reservations: the chain charged at most the cap
        rows = [
            replace(r, reserved=False, planck=r.planck * share // 100) if r.reserved else r
            for r in rows
        ]
        candidate = action(cost, n=i, sale=sale)
        if admit(candidate, loaded, LedgerView(entries=tuple(rows)), now) is None:
            rows.append(spend(cost, at=now, sale=sale, reserved=True, tag=i))
            _assert_within(loaded, rows, candidate, now)


def _assert_within(loaded: LoadedPolicy, rows: list[SpendEntry], last: Action, now: Any) -> None:
    if last.max_cost == 0:
        return
    for limit in loaded.policy.spec.budget.limits:
        used = usage(limit.period, rows, (), last.sale, now)
        assert used.total <= limit.amount.planck
        if limit.period.kind is PeriodKind.TOTAL:
            assert sum(r.planck for r in rows) <= limit.amount.planck


@settings(max_examples=300, deadline=None)
@given(periods, entries, st.sampled_from(SALES), st.integers(-24 * 40, 24 * 40))
def test_unrolled_usage_agrees_with_the_plain_period_rule(
    text: str, spent: list[SpendEntry], sale: int | None, shift_hours: int
) -> None:
    period = parse_period(text)
    now = NOW + timedelta(hours=shift_hours)
    used = usage(period, spent, (), sale, now)
    counted = [e for e in spent if in_period(period, e.at, e.sale, sale, now)]
    assert used.spent == sum(e.planck for e in counted if not e.reserved)
    assert used.reserved == sum(e.planck for e in counted if e.reserved)
