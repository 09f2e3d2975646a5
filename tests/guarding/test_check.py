"""Budgets by period and boundary, idempotency and attempts, alerts, and `admit`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from agent.guard import MAX_ATTEMPTS, admit, check, in_period, usage
from agent.model.actions import AlertKind, Plan
from agent.model.outcome import LedgerView
from agent.model.policy import BudgetPeriod, PeriodKind
from tests.guarding.helpers import DOT, NOW, SALE, action, budgeted, spend

DAY = 86_400


# -- which entries a period counts -------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "at", "sale", "counted"),
    [
        (BudgetPeriod(PeriodKind.SALE), NOW, SALE, True),
        (BudgetPeriod(PeriodKind.SALE), NOW, SALE - 5040, False),
        (BudgetPeriod(PeriodKind.SALE), NOW, None, False),
        (BudgetPeriod(PeriodKind.ROLLING, 30 * DAY), NOW - timedelta(days=30), SALE, False),
        (
            BudgetPeriod(PeriodKind.ROLLING, 30 * DAY),
            NOW - timedelta(days=30) + timedelta(microseconds=1),
            SALE,
            True,
        ),
        (BudgetPeriod(PeriodKind.ROLLING, 12 * 3600), NOW - timedelta(hours=13), SALE, False),
        (BudgetPeriod(PeriodKind.MONTH), datetime(2026, 7, 1, 0, 0, tzinfo=UTC), SALE, True),
        (
            BudgetPeriod(PeriodKind.MONTH),
            datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
            SALE,
            False,
        ),
        (
            BudgetPeriod(PeriodKind.MONTH),
            datetime(2025, 7, 15, tzinfo=UTC),
            SALE,
            False,
        ),  # other year
        # a zone east of UTC: 01:00 on 1 July at +02:00 is still June in UTC
        (
            BudgetPeriod(PeriodKind.MONTH),
            datetime(2026, 7, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),
            SALE,
            False,
        ),
        (BudgetPeriod(PeriodKind.MONTH), datetime(2026, 7, 1, 0, 0), SALE, True),  # naive = UTC
        (BudgetPeriod(PeriodKind.TOTAL), datetime(2001, 1, 1, tzinfo=UTC), None, True),
    ],
)
def test_period_membership(
    period: BudgetPeriod, at: datetime, sale: int | None, counted: bool
) -> None:
    assert in_period(period, at, sale, SALE, NOW) is counted
    # the unrolled sum the budget checks use draws the same line
    entries = [spend(5, at=at, sale=sale), spend(7, at=at, sale=sale, reserved=True, tag=1)]
    used = usage(period, entries, (), SALE, NOW)
    assert (used.spent, used.reserved) == ((5, 7) if counted else (0, 0))


# -- exactly at the limit passes, one planck over refuses, for every kind -----------------------
LIMITS = [("sale", "sale"), ("30d", "rolling"), ("month", "month"), ("total", "total")]


@pytest.mark.parametrize(("period", "label"), LIMITS)
@pytest.mark.parametrize(("cost", "approved"), [(20 * DOT, True), (20 * DOT + 1, False)])
def test_limit_boundary(period: str, label: str, cost: int, approved: bool) -> None:
    policy = budgeted((period, "400 DOT"))
    view = LedgerView(entries=(spend(370 * DOT), spend(10 * DOT, reserved=True, tag=1)))
    result = check(Plan(actions=(action(cost),)), [policy], view, NOW)
    assert (len(result.approved) == 1) is approved, label
    assert (admit(action(cost), policy, view, NOW) is None) is approved, label


@pytest.mark.parametrize(
    ("period", "outside"),
    [
        ("sale", spend(390 * DOT, sale=SALE - 5040)),
        ("30d", spend(390 * DOT, at=NOW - timedelta(days=31))),
        ("month", spend(390 * DOT, at=datetime(2026, 6, 30, 12, tzinfo=UTC))),
    ],
)
def test_spend_outside_the_period_does_not_count(period: str, outside: object) -> None:
    policy = budgeted((period, "400 DOT"))
    view = LedgerView(entries=(outside,))  # type: ignore[arg-type]
    assert check(Plan(actions=(action(400 * DOT),)), [policy], view, NOW).approved
    total = budgeted(("total", "400 DOT"))
    assert not check(Plan(actions=(action(400 * DOT),)), [total], view, NOW).approved


def test_refusal_reason_names_the_limit_and_the_sum() -> None:
    policy = budgeted(("sale", "400 DOT"))
    view = LedgerView(entries=(spend(380 * DOT),))
    result = check(Plan(actions=(action(150 * DOT),)), [policy], view, NOW)
    ((_, reason),) = result.refused
    assert (
        reason == "budget 400 DOT per sale: spent 380 DOT + reserved 0 DOT + this 150 DOT > 400 DOT"
    )
    assert [a.kind for a in result.alerts] == [AlertKind.BUDGET_REFUSED]


def test_the_first_broken_limit_is_named() -> None:
    policy = budgeted(("sale", "400 DOT"), ("30d", "100 DOT"))
    view = LedgerView(entries=(spend(90 * DOT, reserved=True),))
    result = check(Plan(actions=(action(20 * DOT),)), [policy], view, NOW)
    ((_, reason),) = result.refused
    assert reason.startswith("budget 100 DOT per 30d: spent 0 DOT + reserved 90 DOT + this 20 DOT")


def test_earlier_approvals_of_the_same_plan_count() -> None:
    policy = budgeted(("sale", "100 DOT"))
    plan = Plan(actions=(action(40 * DOT, n=0), action(40 * DOT, n=1), action(40 * DOT, n=2)))
    result = check(plan, [policy], LedgerView(), NOW)
    assert [a.target["n"] for a in result.approved] == [0, 1]
    ((refused, reason),) = result.refused
    assert refused.target["n"] == 2
    assert "+ planned 80 DOT + this 40 DOT > 100 DOT" in reason


def test_other_policies_and_other_sales_do_not_share_a_sale_budget() -> None:
    mine, theirs = budgeted(("sale", "100 DOT")), budgeted(("sale", "100 DOT"), name="beta")
    view = LedgerView(
        entries=(spend(100 * DOT, policy_name="beta"), spend(100 * DOT, sale=SALE - 5040))
    )
    plan = Plan(actions=(action(100 * DOT), action(100 * DOT, policy_name="beta")))
    result = check(plan, [mine, theirs], view, NOW)
    assert [a.policy for a in result.approved] == ["acala"]
    assert [a.policy for a, _ in result.refused] == ["beta"]


def test_free_actions_pass_even_over_budget() -> None:
    policy = budgeted(("total", "10 DOT"))
    view = LedgerView(entries=(spend(50 * DOT),))
    assert check(Plan(actions=(action(0),)), [policy], view, NOW).approved


def test_no_limits_means_no_budget_refusal() -> None:
    assert check(Plan(actions=(action(10**30),)), [budgeted()], LedgerView(), NOW).approved


# -- idempotency and attempts ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "reason"),
    [
        (LedgerView(used_action_ids=frozenset({action(1).id})), "already done or in flight"),
        (
            LedgerView(attempts={action(1).id: MAX_ATTEMPTS}),
            "given up after 3 attempts without effect",
        ),
        (LedgerView(attempts={action(1).id: MAX_ATTEMPTS - 1}), None),
        (LedgerView(used_action_ids=frozenset({action(1, n=9).id})), None),
    ],
)
def test_idempotency_and_attempts(view: LedgerView, reason: str | None) -> None:
    result = check(Plan(actions=(action(1),)), [budgeted()], view, NOW)
    if reason is None:
        assert len(result.approved) == 1
    else:
        assert [r for _, r in result.refused] == [reason]
        assert result.alerts == ()


def test_duplicate_in_one_plan_and_unknown_policy() -> None:
    plan = Plan(actions=(action(1), action(1), action(1, policy_name="ghost")))
    result = check(plan, [budgeted()], LedgerView(), NOW)
    assert len(result.approved) == 1
    assert [r for _, r in result.refused] == [
        "the same action appears twice in this plan",
        "policy 'ghost' is not loaded",
    ]


# -- near-limit alerts -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spent", "alerted"), [(79 * DOT, False), (80 * DOT - 1, False), (80 * DOT, True)]
)
def test_near_limit_alert(spent: int, alerted: bool) -> None:
    policy = budgeted(("sale", "100 DOT"), alert_at="80%")
    view = LedgerView(entries=(spend(spent - DOT),))
    result = check(Plan(actions=(action(DOT),)), [policy], view, NOW)
    assert result.approved
    kinds = [a.kind for a in result.alerts]
    assert kinds == ([AlertKind.BUDGET_NEAR_LIMIT] if alerted else [])
    if alerted:
        assert result.alerts[0].message.startswith("80% of the budget 100 DOT per sale is used")


def test_admit_sees_only_its_policy() -> None:
    policy = budgeted(("total", "100 DOT"))
    view = LedgerView(entries=(spend(100 * DOT, policy_name="beta"), spend(60 * DOT)))
    assert admit(action(40 * DOT), policy, view, NOW) is None
    assert admit(action(40 * DOT + 1), policy, view, NOW) == (
        "budget 100 DOT in total: spent 60 DOT + reserved 0 DOT + this 40.0000000001 DOT > 100 DOT"
    )
