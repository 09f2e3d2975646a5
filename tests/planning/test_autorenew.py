"""Auto-renew decisions (enable, disable, which core and hint) and sibling-account funding."""

from __future__ import annotations

from typing import Any

import pytest

from agent.model.accounts import sibling_account
from agent.model.actions import ActionKind, AlertKind, CallSpec, TargetChain
from agent.model.chain import AutoRenewal, Lease
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
    alert_kinds,
    caps,
    only,
    policy,
    right,
    run,
    snapshot,
    work,
)

IN_WINDOW = ROTATION + INTERLUDE // 10
SIB = sibling_account(PARA)
RICH = {PAYER: 10_000 * DOT, SIB: 1_000 * DOT}


def auto_policy(renewal: bool = False, **auto: Any) -> Any:
    spec: dict[str, Any] = {"autoRenew": {"manage": True, **auto}}
    if renewal:
        spec["renewal"] = RENEW
    return policy(**spec)


def enables(result: Any) -> list[Any]:
    return [a for a in result.actions if a.kind is ActionKind.ENABLE_AUTO_RENEW]


def test_not_managed_or_not_supported_is_a_skip() -> None:
    assert only(run(policy(), snapshot()), "auto-renew").outcome == "skip"
    old = snapshot(capabilities=caps(has_auto_renew=False))
    decision = only(run(auto_policy(), old), "auto-renew")
    assert decision.outcome == "skip" and "renew manually" in decision.reason


@pytest.mark.parametrize(
    ("case", "snap", "core", "hint"),
    [
        # renewed this sale: the Workplan holds the new core, the right moved to region_end
        (
            "after a renewal",
            {
                "workplan": {(REGION_BEGIN, 44): work()},
                "workload": {7: work()},
                "renewals": (right(core=44, when=REGION_END),),
            },
            44,
            REGION_END,
        ),
        # a lease or earlier region still running on core 7, its right comes in a later sale
        (
            "running, right later",
            {"workload": {7: work()}, "renewals": (right(core=7, when=REGION_END),)},
            7,
            REGION_END,
        ),
        (
            "only a lease",
            {"workload": {3: work()}, "leases": (Lease(task=PARA, until=REGION_END),)},
            3,
            REGION_END,
        ),
        ("only a record", {"renewals": (right(core=9, when=REGION_END),)}, 9, REGION_END),
    ],
)
def test_enable_picks_core_and_hint(case: str, snap: dict[str, Any], core: int, hint: int) -> None:
    result = run(auto_policy(), snapshot(IN_WINDOW, balances=RICH, **snap))
    (action,) = enables(result)
    assert action.call == CallSpec(
        TargetChain.CORETIME,
        "Broker",
        "enable_auto_renew",
        {"core": core, "task": PARA, "workload_end_hint": hint},
    ), case
    assert action.max_cost == 0 and action.target == {"core": core}
    assert AlertKind.AUTO_RENEW_MISSING in alert_kinds(result)


def test_enable_with_a_right_open_now_waits_for_the_renewal_topic() -> None:
    result = run(auto_policy(renewal=True), snapshot(IN_WINDOW, balances=RICH, renewals=(right(),)))
    assert [a.kind for a in result.actions] == [ActionKind.RENEW]
    decision = only(result, "auto-renew")
    assert decision.outcome == "wait" and "once the renewal has landed" in decision.reason


def test_enable_with_a_right_open_now_renews_at_once_when_renewal_is_off() -> None:
    result = run(
        auto_policy(), snapshot(IN_WINDOW, balances=RICH, renewals=(right(price=50 * DOT),))
    )
    (action,) = enables(result)
    assert action.call.args == {"core": 7, "task": PARA, "workload_end_hint": None}
    assert action.max_cost == action.expected_cost == 50 * DOT
    assert "renews at once" in action.reason


def test_nothing_to_enable_is_explained() -> None:
    result = run(auto_policy(), snapshot(IN_WINDOW))
    assert enables(result) == []
    assert "no core to auto-renew" in only(result, "auto-renew").reason
    orphan = run(auto_policy(), snapshot(IN_WINDOW, workload={7: work()}))
    assert "would fail with NotAllowed" in only(orphan, "auto-renew").reason


def test_existing_record_is_done_and_checked() -> None:
    good = AutoRenewal(core=44, task=PARA, next_renewal=REGION_END)
    ok = run(
        auto_policy(),
        snapshot(
            IN_WINDOW, balances=RICH, auto=(good,), renewals=(right(core=44, when=REGION_END),)
        ),
    )
    assert only(ok, "auto-renew").outcome == "done"
    assert ok.actions == () and ok.alerts == ()
    # the record points at a core the para no longer renews on (polkadot-sdk#8475)
    stale = run(
        auto_policy(),
        snapshot(
            IN_WINDOW, balances=RICH, auto=(good,), renewals=(right(core=45, when=REGION_END),)
        ),
    )
    assert alert_kinds(stale) == [AlertKind.AUTO_RENEW_FAILED]


def test_desired_false_disables_each_record() -> None:
    records = (AutoRenewal(core=44, task=PARA, next_renewal=REGION_END),)
    result = run(auto_policy(desired=False), snapshot(IN_WINDOW, auto=records))
    (action,) = result.actions
    assert action.kind is ActionKind.DISABLE_AUTO_RENEW
    assert action.call == CallSpec(
        TargetChain.CORETIME, "Broker", "disable_auto_renew", {"core": 44, "task": PARA}
    )
    off = run(auto_policy(desired=False), snapshot(IN_WINDOW))
    assert only(off, "auto-renew").outcome == "done" and off.actions == ()


def test_sudo_signer_is_used_for_auto_renew_calls() -> None:
    result = run(
        auto_policy(signer="para-sudo"),
        snapshot(IN_WINDOW, balances=RICH, renewals=(right(core=9, when=REGION_END),)),
    )
    (action,) = enables(result)
    assert action.signer == "para-sudo"


# -- funding ----------------------------------------------------------------------------------
NEXT = 52 * DOT  # next renewal price stored on the chain
ED = DOT // 100
NEEDED = NEXT + NEXT // 10 + ED  # 10% margin + existential deposit
RENEWED = {
    "auto": (AutoRenewal(core=44, task=PARA, next_renewal=REGION_END),),
    "renewals": (right(core=44, when=REGION_END, price=NEXT),),
}


@pytest.mark.parametrize(
    ("held", "funding", "outcome", "alerts", "top_up"),
    [
        (NEEDED, {}, "done", [], None),
        (NEEDED - 1, {}, "refuse", [AlertKind.SOVEREIGN_SHORT], None),
        (NEEDED - 1, {"topUp": True}, "act", [AlertKind.SOVEREIGN_SHORT], 1),
        (0, {"topUp": True}, "act", [AlertKind.SOVEREIGN_SHORT], NEEDED),
        (0, {"topUp": True, "maxTopUp": "20 DOT"}, "act", [AlertKind.SOVEREIGN_SHORT], 20 * DOT),
        (0, {"check": False}, "skip", [], None),
    ],
)
def test_funding(
    held: int, funding: dict[str, Any], outcome: str, alerts: list[AlertKind], top_up: int | None
) -> None:
    snap = snapshot(IN_WINDOW, balances={PAYER: 10_000 * DOT, SIB: held}, **RENEWED)
    result = run(auto_policy(funding=funding), snap)
    assert only(result, "funding").outcome == outcome, only(result, "funding").reason
    assert alert_kinds(result) == alerts
    tops = [a for a in result.actions if a.kind is ActionKind.TOP_UP]
    if top_up is None:
        assert tops == []
    else:
        (action,) = tops
        assert action.call == CallSpec(
            TargetChain.CORETIME, "Balances", "transfer_keep_alive", {"dest": SIB, "value": top_up}
        )
        assert action.max_cost == top_up


def test_top_up_needs_a_payer_that_can_spare_it() -> None:
    snap = snapshot(IN_WINDOW, balances={PAYER: NEEDED, SIB: 0}, **RENEWED)
    result = run(auto_policy(funding={"topUp": True}), snap)
    assert only(result, "funding").outcome == "refuse"
    assert "cannot spare" in only(result, "funding").reason


def test_funding_projects_the_next_price_before_this_sales_renewal() -> None:
    # right still open at region_begin (50 DOT): the renewal stores 51.5 DOT for next time
    snap = snapshot(
        IN_WINDOW, balances={PAYER: 10_000 * DOT, SIB: 0}, renewals=(right(price=50 * DOT),)
    )
    result = run(auto_policy(renewal=True, funding={"topUp": True}), snap)
    (top,) = [a for a in result.actions if a.kind is ActionKind.TOP_UP]
    assert top.max_cost == 51_5 * DOT // 10 + 515 * DOT // 100 + ED  # + 10% margin (5.15 DOT)


def test_enabling_that_renews_at_once_is_funded_first_or_not_at_all() -> None:
    short = snapshot(
        IN_WINDOW, balances={PAYER: 10_000 * DOT, SIB: 0}, renewals=(right(price=50 * DOT),)
    )
    waiting = run(auto_policy(), short)
    assert enables(waiting) == []
    assert "cannot pay the renewal yet" in only(waiting, "auto-renew").reason
    topped = run(auto_policy(funding={"topUp": True}), short)
    assert [a.kind for a in topped.actions] == [ActionKind.TOP_UP, ActionKind.ENABLE_AUTO_RENEW]


def test_renewal_and_funding_in_the_fixed_price_phase() -> None:
    # a late manual renewal of a cheap core stores end_price (10 DOT) as the next price
    snap = snapshot(
        LEADIN_END, balances={PAYER: 10_000 * DOT, SIB: 0}, renewals=(right(price=5 * DOT),)
    )
    result = run(auto_policy(renewal=True, funding={"topUp": True}), snap)
    (top,) = [a for a in result.actions if a.kind is ActionKind.TOP_UP]
    assert top.max_cost == 10 * DOT + DOT + ED


@pytest.mark.parametrize(("price", "alerted"), [(150 * DOT, False), (150 * DOT + 1, True)])
def test_chain_paid_auto_renewal_above_the_cap_is_announced(price: int, alerted: bool) -> None:
    """The chain pays auto-renewals from the sibling account; no budget sees them, so the
    planner says so when the next one would cost more than renewal.maxPrice (150 DOT)."""
    record = AutoRenewal(core=44, task=PARA, next_renewal=REGION_END)
    result = run(
        auto_policy(renewal=True),
        snapshot(
            IN_WINDOW,
            balances={PAYER: 10_000 * DOT, SIB: 10_000 * DOT},
            auto=(record,),
            renewals=(right(core=44, when=REGION_END, price=price),),
        ),
    )
    over = [a for a in result.alerts if a.kind is AlertKind.RENEWAL_OVER_CAP]
    assert bool(over) is alerted
    if alerted:
        assert "sibling account" in over[0].message and "150.0000000001 DOT" in over[0].message
    assert not enables(result)
