"""u128 amounts round-trip exactly on both backends; floats and overflows never get in."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import LedgerError
from agent.ledger import Ledger
from agent.ledger.columns import check_planck
from agent.model.money import MAX_PLANCK
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from tests.ledger.ledger_helpers import NOW, make_action

U128 = 2**128 - 1


def test_u128_max_round_trips_in_every_money_column(ledger: Ledger, backend: str) -> None:
    action = make_action(max_cost=U128, expected_cost=U128)
    ledger.record_intent(action, now=NOW, digest="d", admit=lambda view: None)
    done = ledger.record_outcome(
        action.id, SubmissionOutcome(OutcomeStatus.INCLUDED, spent=U128 - 7, fee=7), now=NOW
    )
    assert (done.reserved, done.expected_cost, done.spent, done.fee) == (U128, U128, U128, 7)
    assert all(type(v) is int for v in (done.reserved, done.spent, done.fee))
    view = ledger.view(now=NOW)
    assert [e.planck for e in view.entries] == [U128]
    assert view.last_price_paid == {("acala", "renew"): U128 - 7}
    assert [s.total for s in ledger.spend_summary(NOW)] == [U128]
    with ledger._db.read() as conn:  # what the database itself holds: no float anywhere
        if backend == "postgresql":
            sql = "SELECT pg_typeof(reserved_planck)::text, reserved_planck::text FROM intents"
            assert conn.exec_driver_sql(sql).one() == ("numeric", str(U128))
            kind = "SELECT data_type FROM information_schema.columns WHERE column_name = 'spent_planck' AND table_schema = current_schema()"
            assert {r[0] for r in conn.exec_driver_sql(kind)} == {"numeric"}
        else:
            sql = (
                "SELECT typeof(reserved_planck), reserved_planck, typeof(spent_planck) FROM intents"
            )
            assert conn.exec_driver_sql(sql).one() == ("text", str(U128), "text")
            totals = "SELECT typeof(spent_planck), spent_planck FROM spend_totals"
            assert conn.exec_driver_sql(totals).one() == ("text", str(U128))


@pytest.mark.parametrize(
    ("max_cost", "match"),
    [
        (2**128, "outside a u128"),
        (-1, "outside a u128"),
        (1.0, "integer of planck, got float"),
        (Decimal(5), "integer of planck, got Decimal"),
        (True, "integer of planck, got bool"),
    ],
)
def test_amounts_outside_a_u128_or_not_integers_are_refused(
    ledger: Ledger, max_cost: object, match: str
) -> None:
    with pytest.raises(LedgerError, match=match):
        ledger.record_intent(
            make_action(max_cost=max_cost), now=NOW, digest="d", admit=lambda v: None
        )
    assert ledger.history() == []


def test_an_outcome_beyond_a_u128_is_refused_and_changes_nothing(ledger: Ledger) -> None:
    action = make_action()
    ledger.record_intent(action, now=NOW, digest="d", admit=lambda view: None)
    with pytest.raises(LedgerError, match=r"outcome\.spent \+ outcome\.fee"):
        ledger.record_outcome(
            action.id, SubmissionOutcome(OutcomeStatus.INCLUDED, spent=U128, fee=1), now=NOW
        )
    assert ledger.intent(action.id).status.value == "open"  # type: ignore[union-attr]
    assert ledger.spend_summary(NOW)[0].total == 0


@given(st.integers(min_value=0, max_value=MAX_PLANCK))
def test_check_planck_accepts_every_u128(value: int) -> None:
    assert check_planck(value) == value


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reserved=st.integers(0, U128), price=st.integers(0, 2**127), fee=st.integers(0, 2**127 - 1))
def test_any_u128_round_trips(ledger: Ledger, reserved: int, price: int, fee: int) -> None:
    n = next(_ids)  # one policy per example, so the running totals stay within a u128
    action = make_action(f"act_{n}", policy=f"p-{n}", max_cost=reserved)
    ledger.record_intent(action, now=NOW, digest="d", admit=lambda view: None)
    assert ledger.intent(action.id).reserved == reserved  # type: ignore[union-attr]
    done = ledger.record_outcome(
        action.id, SubmissionOutcome(OutcomeStatus.FAILED, spent=price, fee=fee), now=NOW
    )
    assert (done.spent, done.fee) == (price + fee, fee)


_ids = itertools.count()
