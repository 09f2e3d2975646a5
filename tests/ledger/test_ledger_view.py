"""Reading spend back: entries per period, the bounded fold, prices, order rate and summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import LedgerError
from agent.ledger import Ledger, SpendSummary
from agent.ledger.records import IntentStatus
from agent.ledger.views import Attempt, assemble, cutoff_for
from agent.model.actions import ActionKind
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from tests.ledger.ledger_helpers import NOW, make_action

ORDER = ActionKind.ORDER_ON_DEMAND


def put(
    ledger: Ledger,
    action_id: str,
    at: datetime,
    *,
    reserve: int = 1_000,
    spent: int | None = None,
    fee: int = 0,
    status: OutcomeStatus = OutcomeStatus.INCLUDED,
    policy: str = "acala",
    sale: int | None = 100,
    kind: ActionKind = ActionKind.RENEW,
) -> None:
    """An attempt created at `at`; closed with `status` when `spent` is given, else left open."""
    action = make_action(action_id, policy=policy, sale=sale, kind=kind, max_cost=reserve)
    ledger.record_intent(action, now=at, digest="d", admit=lambda view: None)
    if spent is not None:
        outcome = SubmissionOutcome(status, spent=spent, fee=fee)
        ledger.record_outcome(action_id, outcome, now=at + timedelta(seconds=30))


def test_entries_are_spent_for_closed_and_reserved_for_open_attempts(ledger: Ledger) -> None:
    put(ledger, "act_done", NOW - timedelta(hours=3), spent=700, fee=12)
    put(ledger, "act_open", NOW - timedelta(hours=2), reserve=900)
    put(ledger, "act_sent", NOW - timedelta(hours=1), reserve=800)
    ledger.mark_submitted("act_sent", extrinsic_hash="0x1", now=NOW)
    put(ledger, "act_free", NOW - timedelta(minutes=30), spent=0, status=OutcomeStatus.DROPPED)
    view = ledger.view(now=NOW)
    assert [(e.action_id, e.planck, e.reserved, e.sale) for e in view.entries] == [
        ("act_done", 712, False, 100),
        ("act_open", 900, True, 100),
        ("act_sent", 800, True, 100),
    ]
    assert view.entries[0].at == NOW - timedelta(hours=3)  # counted when it was decided
    assert view.used_action_ids == {"act_done", "act_open", "act_sent"}
    assert view.attempts == {"act_free": 1}


def test_spend_older_than_the_horizon_is_folded_exactly_per_sale(ledger: Ledger) -> None:
    put(ledger, "act_s1_a", NOW - timedelta(days=120), spent=100, sale=1)
    put(ledger, "act_s1_b", NOW - timedelta(days=110), spent=50, fee=5, sale=1)
    put(ledger, "act_s2_a", NOW - timedelta(days=80), spent=200, sale=2)
    put(ledger, "act_nosale", NOW - timedelta(days=90), spent=30, sale=None)
    put(ledger, "act_s2_b", NOW - timedelta(days=10), spent=70, sale=2)
    put(ledger, "act_old_open", NOW - timedelta(days=200), reserve=40, sale=1)
    view = ledger.view(now=NOW, horizon=timedelta(days=35))
    cutoff = NOW - timedelta(days=35)
    folded = [e for e in view.entries if e.action_id.startswith("earlier-than:")]
    assert {e.sale: e.planck for e in folded} == {1: 155, 2: 200, None: 30}
    assert len(folded) == 3
    assert all(e.at == cutoff - timedelta(microseconds=1) and not e.reserved for e in folded)
    singles = [(e.action_id, e.planck, e.reserved) for e in view.entries if e not in folded]
    assert singles == [("act_old_open", 40, True), ("act_s2_b", 70, False)]
    assert sum(e.planck for e in view.entries if not e.reserved) == 155 + 200 + 30 + 70  # total
    assert sum(e.planck for e in view.entries if e.sale == 2) == 270  # whole sale, exact
    long = ledger.view(now=NOW, horizon=timedelta(days=400))
    assert not any(e.action_id.startswith("earlier-than:") for e in long.entries)
    assert {e.action_id for e in long.entries} == {
        "act_s1_a", "act_s1_b", "act_s2_a", "act_nosale", "act_s2_b", "act_old_open",
    }  # fmt: skip


def test_the_cutoff_never_passes_the_start_of_the_month(ledger: Ledger) -> None:
    now = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    put(ledger, "act_feb", datetime(2026, 2, 28, 23, 0, tzinfo=UTC), spent=10)
    put(ledger, "act_mar", datetime(2026, 3, 1, 0, 0, tzinfo=UTC), spent=20)
    view = ledger.view(now=now, horizon=timedelta(hours=6))
    march = datetime(2026, 3, 1, tzinfo=UTC)
    assert [(e.action_id, e.planck, e.at) for e in view.entries] == [
        (f"earlier-than:{march.isoformat()}", 10, march - timedelta(microseconds=1)),
        ("act_mar", 20, march),
    ]
    assert cutoff_for(now, timedelta(hours=6)) == march
    with pytest.raises(LedgerError, match="at least one hour"):
        ledger.view(now=now, horizon=timedelta(minutes=59))


def test_last_price_paid_comes_from_the_latest_included_renew_or_purchase(ledger: Ledger) -> None:
    put(ledger, "act_r1", NOW - timedelta(days=60), spent=100, fee=5)
    put(ledger, "act_r2", NOW - timedelta(days=30), spent=120, fee=5)
    put(ledger, "act_r3", NOW - timedelta(days=1), spent=0, fee=5, status=OutcomeStatus.FAILED)
    put(ledger, "act_p1", NOW - timedelta(days=2), spent=300, kind=ActionKind.PURCHASE)
    put(ledger, "act_o1", NOW - timedelta(days=2), spent=3, kind=ORDER, policy="other")
    put(ledger, "act_r0", NOW - timedelta(days=90), reserve=99)  # reconciled late: older
    ledger.record_outcome("act_r0", SubmissionOutcome(OutcomeStatus.INCLUDED, spent=99), now=NOW)
    view = ledger.view(now=NOW)
    assert view.last_price_paid == {("acala", "renew"): 120, ("acala", "purchase"): 300}
    assert ledger.view(now=NOW, policies=["other"]).last_price_paid == {}


def test_recent_orders_are_those_placed_in_the_last_hour(ledger: Ledger) -> None:
    put(ledger, "act_o_old", NOW - timedelta(minutes=61), spent=5, kind=ORDER, sale=None)
    put(ledger, "act_o_in", NOW - timedelta(minutes=59), spent=5, kind=ORDER, sale=None)
    put(ledger, "act_o_bad", NOW - timedelta(minutes=20), spent=0, kind=ORDER,
        status=OutcomeStatus.INVALID, sale=None)  # fmt: skip
    put(ledger, "act_o_open", NOW - timedelta(minutes=5), kind=ORDER, sale=None)
    put(ledger, "act_o_dry", NOW - timedelta(minutes=1), kind=ORDER, policy="moonbeam", sale=None)
    put(ledger, "act_renew", NOW - timedelta(minutes=2), spent=9)
    view = ledger.view(now=NOW)
    assert view.recent_orders == {
        "acala": (NOW - timedelta(minutes=59), NOW - timedelta(minutes=5)),
        "moonbeam": (NOW - timedelta(minutes=1),),
    }
    assert ledger.view(now=NOW, policies=["moonbeam"]).recent_orders == {
        "moonbeam": (NOW - timedelta(minutes=1),)
    }


def test_policies_filter_the_view(ledger: Ledger) -> None:
    put(ledger, "act_a", NOW, spent=1, policy="acala")
    put(ledger, "act_b", NOW, reserve=2, policy="bifrost")
    put(ledger, "act_c", NOW, spent=3, policy="centrifuge")
    view = ledger.view(now=NOW, policies=["acala", "bifrost"])
    assert {e.policy for e in view.entries} == {"acala", "bifrost"}
    assert view.used_action_ids == {"act_a", "act_b"}
    assert ledger.view(now=NOW, policies=[]).entries == ()


def test_spend_summary_per_period(ledger: Ledger) -> None:
    now = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)
    put(ledger, "act_jan", datetime(2026, 1, 20, tzinfo=UTC), spent=1_000, sale=7)
    put(ledger, "act_mar1", datetime(2026, 3, 2, tzinfo=UTC), spent=200, fee=3, sale=8)
    put(ledger, "act_today", datetime(2026, 3, 15, 1, tzinfo=UTC), spent=40, sale=8)
    put(ledger, "act_fail", datetime(2026, 3, 15, 2, tzinfo=UTC), spent=0, fee=2, sale=8,
        status=OutcomeStatus.FAILED)  # fmt: skip
    put(ledger, "act_open", datetime(2026, 3, 15, 3, tzinfo=UTC), reserve=500, sale=9)
    put(ledger, "act_m", datetime(2026, 3, 14, tzinfo=UTC), spent=6, policy="moonbeam", sale=None)
    assert ledger.spend_summary(now) == [
        SpendSummary("acala", "polkadot", today=42, sale=9, this_sale=0, month=245,
                     total=1_245, reserved=500, open_intents=1),
        SpendSummary("moonbeam", "polkadot", today=0, sale=None, this_sale=0, month=6,
                     total=6, reserved=0, open_intents=0),
    ]  # fmt: skip
    ledger.record_outcome("act_open", SubmissionOutcome(OutcomeStatus.INCLUDED, spent=450), now=now)
    acala = ledger.spend_summary(now, policy="acala")
    assert [(s.sale, s.this_sale, s.today, s.total, s.reserved) for s in acala] == [
        (9, 450, 492, 1_695, 0)
    ]


# -- the fold, as pure arithmetic --------------------------------------------------------------

T0 = datetime(2026, 6, 15, tzinfo=UTC)
_attempt = st.tuples(
    st.integers(0, 400 * 24),  # hours before T0
    st.integers(0, 10**20),  # spent
    st.sampled_from([None, 1, 2, 3]),  # sale
    st.booleans(),  # still open
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(_attempt, max_size=40), horizon_days=st.integers(1, 120),
       window_days=st.integers(1, 400))  # fmt: skip
def test_the_fold_is_exact_for_totals_sales_and_short_windows(
    rows: list[tuple[int, int, int | None, bool]], horizon_days: int, window_days: int
) -> None:
    attempts, totals = [], {}
    for i, (hours, spent, sale, still_open) in enumerate(rows):
        status = IntentStatus.OPEN if still_open else IntentStatus.INCLUDED
        at = T0 - timedelta(hours=hours)
        attempts.append(Attempt(i, f"act_{i}", 1, "p", "polkadot", "renew", sale, status,
                                spent, None if still_open else spent, at))  # fmt: skip
        if not still_open:
            key = ("p", -1 if sale is None else sale)
            totals[key] = totals.get(key, 0) + spent
    horizon = timedelta(days=horizon_days)
    cutoff = cutoff_for(T0, horizon)
    shown = [a for a in attempts if a.created_at >= cutoff or a.status is IntentStatus.OPEN]
    view = assemble(shown, totals, {}, now=T0, cutoff=cutoff)
    closed = [a for a in attempts if a.status is not IntentStatus.OPEN]
    spent_entries = [e for e in view.entries if not e.reserved]
    assert sum(e.planck for e in spent_entries) == sum(a.spent or 0 for a in closed)
    for sale in (None, 1, 2, 3):
        exact = sum(a.spent or 0 for a in closed if a.sale == sale)
        assert sum(e.planck for e in spent_entries if e.sale == sale) == exact
    start = T0 - timedelta(days=window_days)
    exact = sum(a.spent or 0 for a in closed if a.created_at >= start)
    counted = sum(e.planck for e in spent_entries if e.at >= start)
    if start >= cutoff:
        assert counted == exact
    else:
        assert counted >= exact  # longer than the horizon: too much, never too little
    assert [e.planck for e in view.entries if e.reserved] == [
        a.reserved for a in sorted(attempts, key=lambda a: (a.created_at, a.action_id))
        if a.status is IntentStatus.OPEN
    ]  # fmt: skip
