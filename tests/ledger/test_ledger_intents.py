"""Write-ahead intents: durable before return, never twice, refused budgets write nothing."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agent.errors import LedgerError
from agent.ledger import (
    BudgetRefused,
    DuplicateAction,
    IntentStatus,
    InvalidTransition,
    Ledger,
    UnknownAction,
)
from agent.model.outcome import LedgerView, ModuleError, OutcomeStatus, SubmissionOutcome
from tests.ledger.ledger_helpers import NOW, make_action
from tests.ledger.ledger_workers import record_then_die


def admit_all(view: LedgerView) -> str | None:
    return None


def outcome(status: OutcomeStatus, spent: int = 0, fee: int = 0) -> SubmissionOutcome:
    return SubmissionOutcome(status, extrinsic_hash="0xfeed", spent=spent, fee=fee)


def test_record_intent_stores_the_action_open(ledger: Ledger) -> None:
    action = make_action(args={"core": 7, "blob": b"\x01\xff"}, expected_cost=900)
    record = ledger.record_intent(action, now=NOW, digest="sha256:abc", admit=admit_all)
    assert record.status is IntentStatus.OPEN
    assert (record.action_id, record.attempt, record.mode) == (action.id, 1, "live")
    assert (record.policy, record.para_id, record.network, record.kind) == (
        "acala",
        2000,
        "polkadot",
        "renew",
    )
    assert (record.window, record.sale, record.signer) == ("sale:100", 100, "ops-renewer")
    assert record.call == {
        "chain": "coretime",
        "pallet": "Broker",
        "function": "renew",
        "args": {"core": 7, "blob": "0x01ff"},
    }
    assert record.target == {"core": 7}
    assert (record.reserved, record.expected_cost, record.spent, record.fee) == (
        1000,
        900,
        None,
        None,
    )
    assert record.policy_digest == "sha256:abc"
    assert record.created_at == record.updated_at == NOW


def test_intent_is_visible_to_a_new_ledger_object(ledger: Ledger, ledger_url: str) -> None:
    ledger.record_intent(make_action(), now=NOW, digest="d", admit=admit_all)
    with Ledger(ledger_url) as other:
        assert [r.action_id for r in other.open_intents()] == [make_action().id]


def test_intent_survives_the_process_dying_right_after_record(ledger_url: str) -> None:
    """The writer process is killed (os._exit, no cleanup) the moment record_intent returns."""
    Ledger(ledger_url).close()  # migrate first, so the child only records
    proc = multiprocessing.get_context("spawn").Process(
        target=record_then_die, args=(ledger_url, "act_died_after_record")
    )
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    with Ledger(ledger_url) as fresh:
        record = fresh.intent("act_died_after_record")
    assert record is not None and record.status is IntentStatus.OPEN


def test_sqlite_creates_its_folder_and_commits_durably(tmp_path: Path) -> None:
    path = tmp_path / "new" / "state" / "ledger.sqlite"
    with Ledger(f"sqlite:///{path}") as book:
        book.record_intent(make_action(), now=NOW, digest="d", admit=admit_all)
        with sqlite3.connect(path) as raw:  # committed: another connection reads it
            assert raw.execute("SELECT status FROM intents").fetchall() == [("open",)]
        with book._db.engine.connect() as conn:  # what every ledger connection is set to
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


@pytest.mark.parametrize(
    "status",
    [IntentStatus.OPEN, IntentStatus.SUBMITTED, IntentStatus.UNKNOWN]
    + [IntentStatus(s.value) for s in (OutcomeStatus.INCLUDED, OutcomeStatus.DRY_RUN)]
    + [IntentStatus.EXPORTED],
)
def test_an_action_with_effect_or_in_flight_is_refused_as_duplicate(
    ledger: Ledger, status: IntentStatus
) -> None:
    action = make_action()
    ledger.record_intent(action, now=NOW, digest="d", admit=admit_all)
    if status is IntentStatus.SUBMITTED:
        ledger.mark_submitted(action.id, extrinsic_hash="0x01", now=NOW)
    elif status is not IntentStatus.OPEN:
        ledger.record_outcome(action.id, outcome(OutcomeStatus(status.value)), now=NOW)
    calls: list[LedgerView] = []
    with pytest.raises(DuplicateAction) as refused:
        ledger.record_intent(action, now=NOW, digest="d", admit=lambda v: calls.append(v) or None)
    assert refused.value.status == status.value
    assert calls == []  # refused before the budget is even asked
    assert len(ledger.history()) == 1


@pytest.mark.parametrize(
    "status", [OutcomeStatus.FAILED, OutcomeStatus.INVALID, OutcomeStatus.DROPPED]
)
def test_an_attempt_without_effect_may_be_retried_and_is_counted(
    ledger: Ledger, status: OutcomeStatus
) -> None:
    action = make_action()
    ledger.record_intent(action, now=NOW, digest="d", admit=admit_all)
    ledger.record_outcome(action.id, outcome(status, fee=5), now=NOW)
    seen: list[LedgerView] = []
    retry = ledger.record_intent(
        action, now=NOW + timedelta(minutes=1), digest="d", admit=lambda v: seen.append(v) or None
    )
    assert retry.attempt == 2 and retry.status is IntentStatus.OPEN
    assert seen[0].attempts == {action.id: 1}
    assert action.id not in seen[0].used_action_ids
    after = ledger.view(now=NOW + timedelta(minutes=1))
    assert after.attempts == {action.id: 1}
    assert action.id in after.used_action_ids  # the retry is open: no third attempt now
    assert [(r.attempt, r.status.value) for r in ledger.history()] == [
        (2, "open"),
        (1, status.value),
    ]


def test_a_refused_budget_writes_nothing(ledger: Ledger) -> None:
    ledger.record_intent(make_action("act_a"), now=NOW, digest="d", admit=admit_all)
    seen: list[LedgerView] = []

    def refuse(view: LedgerView) -> str:
        seen.append(view)
        return "sale budget 1500 would be exceeded"

    with pytest.raises(BudgetRefused) as refused:
        ledger.record_intent(make_action("act_b"), now=NOW, digest="d", admit=refuse)
    assert refused.value.reason == "sale budget 1500 would be exceeded"
    assert "act_b" in refused.value.one_line()
    assert [e.action_id for e in seen[0].entries] == ["act_a"]  # admit saw the reservation
    assert ledger.intent("act_b") is None
    assert [r.action_id for r in ledger.open_intents()] == ["act_a"]
    assert (
        ledger.record_intent(make_action("act_b"), now=NOW, digest="d", admit=admit_all).attempt
        == 1
    )


def test_an_admit_that_crashes_writes_nothing(ledger: Ledger) -> None:
    def broken(view: LedgerView) -> str | None:
        raise RuntimeError("guard bug")

    with pytest.raises(RuntimeError, match="guard bug"):
        ledger.record_intent(make_action(), now=NOW, digest="d", admit=broken)
    assert ledger.history() == []


def test_admit_sees_only_the_actions_policy(ledger: Ledger) -> None:
    ledger.record_intent(make_action("act_x", policy="other"), now=NOW, digest="d", admit=admit_all)
    seen: list[LedgerView] = []
    ledger.record_intent(
        make_action("act_y"), now=NOW, digest="d", admit=lambda v: seen.append(v) or None
    )
    assert seen[0].entries == ()


def test_submitted_then_outcome(ledger: Ledger) -> None:
    action = make_action()
    ledger.record_intent(action, now=NOW, digest="d", admit=admit_all)
    later = NOW + timedelta(seconds=6)
    sub = ledger.mark_submitted(action.id, extrinsic_hash="0xabc", now=later)
    assert (sub.status, sub.extrinsic_hash, sub.updated_at) == (
        IntentStatus.SUBMITTED,
        "0xabc",
        later,
    )
    assert ledger.mark_submitted(action.id, extrinsic_hash="0xabc", now=later) == sub  # no-op
    with pytest.raises(InvalidTransition):
        ledger.mark_submitted(action.id, extrinsic_hash="0xother", now=later)
    done = ledger.record_outcome(
        action.id,
        SubmissionOutcome(
            OutcomeStatus.FAILED,
            block_hash="0xb10c",
            block_number=77,
            error=ModuleError("Broker", "TooEarly"),
            message="dispatch error",
            spent=0,
            fee=123,
        ),
        now=later + timedelta(seconds=12),
    )
    assert (done.status, done.error, done.spent, done.fee) == (
        IntentStatus.FAILED,
        "Broker.TooEarly",
        123,
        123,
    )
    assert (done.extrinsic_hash, done.block_hash, done.block_number) == ("0xabc", "0xb10c", 77)
    assert done.created_at == NOW and done.updated_at == later + timedelta(seconds=12)
    assert ledger.open_intents() == []
    with pytest.raises(InvalidTransition):
        ledger.record_outcome(action.id, outcome(OutcomeStatus.INCLUDED), now=later)
    with pytest.raises(InvalidTransition):
        ledger.mark_submitted(action.id, extrinsic_hash="0xabc", now=later)


def test_unknown_keeps_reserving_until_reconciled(ledger: Ledger) -> None:
    action = make_action(max_cost=500)
    ledger.record_intent(action, now=NOW, digest="d", admit=admit_all)
    ledger.record_outcome(action.id, SubmissionOutcome(OutcomeStatus.UNKNOWN), now=NOW)
    assert [r.status for r in ledger.open_intents()] == [IntentStatus.UNKNOWN]
    assert [(e.planck, e.reserved) for e in ledger.view(now=NOW).entries] == [(500, True)]
    ledger.record_outcome(action.id, outcome(OutcomeStatus.INCLUDED, spent=400, fee=2), now=NOW)
    assert [(e.planck, e.reserved) for e in ledger.view(now=NOW).entries] == [(402, False)]


def test_unknown_action_ids_raise(ledger: Ledger) -> None:
    with pytest.raises(UnknownAction):
        ledger.record_outcome("act_nope", outcome(OutcomeStatus.INCLUDED), now=NOW)
    with pytest.raises(UnknownAction):
        ledger.mark_submitted("act_nope", extrinsic_hash="0x1", now=NOW)
    assert ledger.intent("act_nope") is None


@pytest.mark.parametrize(
    ("when", "match"),
    [(datetime(2026, 3, 15, 12), "timezone-aware"), ("2026-03-15", "must be a datetime")],
)
def test_now_must_be_an_aware_datetime(ledger: Ledger, when: object, match: str) -> None:
    with pytest.raises(LedgerError, match=match):
        ledger.record_intent(make_action(), now=when, digest="d", admit=admit_all)  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match=match):
        ledger.view(now=when)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"secret": object()}, "cannot record a value of type object"),
        ({"price": 1.5}, "float"),
    ],
)
def test_call_args_must_be_plain_data(ledger: Ledger, args: dict[str, object], match: str) -> None:
    with pytest.raises(LedgerError, match=match):
        ledger.record_intent(make_action(args=args), now=NOW, digest="d", admit=admit_all)
    assert ledger.history() == []


def test_dry_run_and_live_never_see_each_other(open_ledger: Callable[..., Ledger]) -> None:
    live, dry = open_ledger("live"), open_ledger("dry-run")
    action = make_action(max_cost=700)
    dry.record_intent(action, now=NOW, digest="d", admit=admit_all)
    dry.record_outcome(action.id, outcome(OutcomeStatus.DRY_RUN, spent=650), now=NOW)
    assert live.view(now=NOW) == LedgerView()
    assert live.history() == [] and live.open_intents() == [] and live.spend_summary(NOW) == []
    live.record_intent(action, now=NOW, digest="d", admit=admit_all)  # same id, other world
    assert [e.planck for e in live.view(now=NOW).entries] == [700]
    assert [e.planck for e in dry.view(now=NOW).entries] == [650]
    assert [r.mode for r in dry.history()] == ["dry-run"]


def test_history_is_newest_first_and_filtered(ledger: Ledger) -> None:
    for i in range(5):
        policy = "acala" if i % 2 == 0 else "moonbeam"
        ledger.record_intent(
            make_action(f"act_{i}", policy=policy),
            now=NOW + timedelta(minutes=i),
            digest="d",
            admit=admit_all,
        )
    assert [r.action_id for r in ledger.history(limit=3)] == ["act_4", "act_3", "act_2"]
    assert [r.action_id for r in ledger.history("moonbeam")] == ["act_3", "act_1"]
    assert [r.action_id for r in ledger.open_intents()] == [f"act_{i}" for i in range(5)]
    with pytest.raises(LedgerError, match="limit"):
        ledger.history(limit=0)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("policy", "", "policy must be a non-empty string"),
        ("window", "w" * 129, "window is longer than 128"),
        ("action_id", "a" * 65, "action id is longer than 64"),
    ],
)
def test_bad_action_fields_are_refused_in_one_line(
    ledger: Ledger, field: str, value: str, match: str
) -> None:
    import dataclasses

    bad = dataclasses.replace(make_action(), **{"id" if field == "action_id" else field: value})
    with pytest.raises(LedgerError, match=match):
        ledger.record_intent(bad, now=NOW, digest="d", admit=admit_all)
