"""Renewal decisions: window, caps, rights, auto-renewal interplay, deadlines, funds."""

from __future__ import annotations

from typing import Any

import pytest

from agent.model.actions import ActionKind, AlertKind, CallSpec, Severity, TargetChain, action_id
from agent.model.chain import AutoRenewal
from tests.planning.builders import (
    DOT,
    INTERLUDE,
    LEADIN_END,
    PARA,
    PAYER,
    REGION_BEGIN,
    REGION_END,
    RENEW,
    ROTATION,
    SALE_START,
    alert_kinds,
    ledger,
    only,
    policy,
    right,
    run,
    snapshot,
)

IN_WINDOW = ROTATION + INTERLUDE // 10  # 10% of the interlude: after startAfter, before deadline
START_AFTER = ROTATION + INTERLUDE // 20  # exactly 5%


def renew_policy(**changes: Any) -> Any:
    return policy(renewal={**RENEW, **changes})


@pytest.mark.parametrize(
    ("case", "spec", "snap", "view", "outcome", "words", "alerts"),
    [
        ("disabled", {"enabled": False}, {}, {}, "skip", "disabled", []),
        ("no sale", {}, {"with_sale": False}, {}, "wait", "no bulk sale", []),
        ("no config", {}, {"with_config": False}, {}, "wait", "Configuration", []),
        ("too early", {}, {"now": ROTATION + INTERLUDE // 50}, {}, "wait", "renewing after 5%", []),
        ("one block early", {}, {"now": START_AFTER - 1}, {}, "wait", "(in 1 blocks)", []),
        ("at startAfter", {}, {"now": START_AFTER}, {}, "act", "renew core 7", []),
        ("price at cap", {"maxPrice": "50 DOT"}, {}, {}, "act", "at 50 DOT", []),
        (
            "one planck over cap",
            {"maxPrice": "49.9999999999 DOT"},
            {},
            {},
            "refuse",
            "above maxPrice 49.9999999999 DOT",
            [AlertKind.RENEWAL_OVER_CAP],
        ),
        (
            "within maxIncrease",
            {"maxIncrease": "25%"},
            {},
            {"last_price_paid": {("acala", "renew"): 40 * DOT}},
            "act",
            "renew",
            [],
        ),
        (
            "one planck over maxIncrease",
            {"maxIncrease": "25%"},
            {},
            {"last_price_paid": {("acala", "renew"): 40 * DOT - 1}},
            "refuse",
            "more than maxIncrease 25% over the last price paid",
            [AlertKind.RENEWAL_OVER_CAP],
        ),
        ("maxIncrease, nothing paid yet", {"maxIncrease": "1%"}, {}, {}, "act", "renew", []),
        (
            "past deadline",
            {},
            {"now": ROTATION + INTERLUDE * 9 // 10},
            {},
            "act",
            "renew",
            [AlertKind.RENEWAL_DEADLINE],
        ),
        (
            "lead-in, cores left",
            {},
            {"now": SALE_START + 10},
            {},
            "act",
            "renew",
            [AlertKind.RENEWAL_DEADLINE],
        ),
        (
            "sold out",
            {},
            {"now": LEADIN_END + 5, "sale_changes": {"cores_sold": 10}},
            {},
            "refuse",
            "sold out (10/10)",
            [AlertKind.RENEWAL_DEADLINE, AlertKind.RENEWAL_MISSED],
        ),
        (
            "payer short",
            {},
            {"balances": {PAYER: 50 * DOT - 1}},
            {},
            "refuse",
            "the payer holds",
            [],
        ),
    ],
)
def test_renewal_table(
    case: str,
    spec: dict[str, Any],
    snap: dict[str, Any],
    view: dict[str, Any],
    outcome: str,
    words: str,
    alerts: list[AlertKind],
) -> None:
    snap = {"now": IN_WINDOW, **snap}
    result = run(renew_policy(**spec), snapshot(renewals=(right(),), **snap), ledger(**view))
    decision = only(result, "renewal")
    assert decision.outcome == outcome, case
    assert words in decision.reason, (case, decision.reason)
    assert alert_kinds(result) == alerts, case
    renews = [a for a in result.actions if a.kind is ActionKind.RENEW]
    assert len(renews) == (1 if outcome == "act" else 0), case


def test_renew_action_carries_everything_needed() -> None:
    result = run(renew_policy(), snapshot(IN_WINDOW, renewals=(right(core=7, price=50 * DOT),)))
    (action,) = result.actions
    assert action.kind is ActionKind.RENEW
    assert action.call == CallSpec(TargetChain.CORETIME, "Broker", "renew", {"core": 7})
    assert action.max_cost == action.expected_cost == 50 * DOT
    assert action.window == f"sale:{REGION_BEGIN}" and action.sale == REGION_BEGIN
    assert action.signer == "ops" and action.para_id == PARA
    assert action.id == action_id(
        network="polkadot",
        policy="acala",
        para_id=PARA,
        kind=ActionKind.RENEW,
        target={"core": 7},
        window=f"sale:{REGION_BEGIN}",
    )
    # 50 DOT + 3% bump = 51.5 DOT, below the interlude's sale price
    assert action.reason.endswith("the next renewal will cost 51.5 DOT")


def test_deadline_alert_is_critical_once_the_interlude_is_over() -> None:
    inside = run(renew_policy(), snapshot(ROTATION + INTERLUDE * 9 // 10, renewals=(right(),)))
    after = run(renew_policy(), snapshot(SALE_START + 1, renewals=(right(),)))
    assert [a.severity for a in inside.alerts] == [Severity.WARNING]
    assert [a.severity for a in after.alerts] == [Severity.CRITICAL]


def test_each_renewable_core_gets_its_own_action_and_funds_are_shared() -> None:
    rights = (right(core=7, price=40 * DOT), right(core=9, price=40 * DOT))
    both = run(renew_policy(), snapshot(IN_WINDOW, renewals=rights))
    assert [a.target for a in both.actions] == [{"core": 7}, {"core": 9}]
    one = run(renew_policy(), snapshot(IN_WINDOW, renewals=rights, balances={PAYER: 60 * DOT}))
    assert [a.target for a in one.actions] == [{"core": 7}]
    assert [d.outcome for d in one.decisions if d.topic == "renewal"] == ["act", "refuse"]


@pytest.mark.parametrize(
    ("renewals", "workplan", "auto", "outcome", "words"),
    [
        ((right(when=REGION_END, price=52 * DOT),), {}, (), "done", "next renewal costs 52 DOT"),
        ((), {(REGION_BEGIN, 44): right().workload}, (), "done", "holds core 44"),
        (
            (right(core=44, when=REGION_END),),
            {},
            (AutoRenewal(core=44, task=PARA, next_renewal=REGION_END),),
            "done",
            "on-chain auto-renewal enabled",
        ),
        ((right(when=REGION_END + 5040),), {}, (), "skip", "becomes renewable"),
        ((), {}, (), "skip", "no renewal right in this sale"),
        ((right(para=3000),), {}, (), "skip", "no renewal right"),
    ],
)
def test_already_renewed_or_nothing_to_renew(
    renewals: tuple[Any, ...],
    workplan: dict[Any, Any],
    auto: tuple[Any, ...],
    outcome: str,
    words: str,
) -> None:
    result = run(
        renew_policy(), snapshot(IN_WINDOW, renewals=renewals, workplan=workplan, auto=auto)
    )
    decision = only(result, "renewal")
    assert (decision.outcome, words in decision.reason) == (outcome, True), decision.reason
    assert result.actions == ()


def test_auto_renewal_that_did_not_happen_falls_back_to_manual() -> None:
    # the record was due at this rotation, yet the right at region_begin is still there
    stale = AutoRenewal(core=7, task=PARA, next_renewal=REGION_BEGIN)
    result = run(renew_policy(), snapshot(IN_WINDOW, renewals=(right(),), auto=(stale,)))
    assert only(result, "renewal").outcome == "act"
    assert alert_kinds(result) == [AlertKind.AUTO_RENEW_FAILED]


def test_partial_record_is_not_renewable() -> None:
    result = run(renew_policy(), snapshot(IN_WINDOW, renewals=(right(complete=False),)))
    assert only(result, "renewal").outcome == "wait"
    assert "partial" in only(result, "renewal").reason
    assert result.actions == ()


def test_unknown_payer_is_refused_not_raised() -> None:
    result = run(renew_policy(), snapshot(IN_WINDOW, renewals=(right(),)), payers={})
    assert only(result, "renewal").outcome == "refuse"
    assert "no account is known for signer 'ops'" in only(result, "renewal").reason
