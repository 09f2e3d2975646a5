"""On-demand orders: bulk check, triggers, spot cap, queue, rate limit, order windows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from agent.model.actions import ActionKind, AlertKind, CallSpec, TargetChain
from agent.model.chain import ParaActivity
from tests.planning.builders import (
    DOT,
    NOW,
    PARA,
    PAYER,
    PERIOD,
    alert_kinds,
    caps,
    ledger,
    on_demand,
    only,
    policy,
    run,
    snapshot,
    work,
)

RELAY = 600_005  # timeslice 7500
BUSY = {PARA: ParaActivity(last_block_relay=RELAY - 2, pending_extrinsics=5)}
ORDER = {
    "enabled": True,
    "trigger": {"pendingExtrinsics": 1, "maxIdleRelayBlocks": 12},
    "maxSpotPrice": "0.5 DOT",
}


def od_policy(**changes: Any) -> Any:
    return policy(onDemand={**ORDER, **changes})


def od_snapshot(**changes: Any) -> Any:
    base: dict[str, Any] = {"ondemand": on_demand(), "paras": BUSY}
    return snapshot(RELAY, **{**base, **changes})


def orders(result: Any) -> list[Any]:
    return [a for a in result.actions if a.kind is ActionKind.ORDER_ON_DEMAND]


def test_order_call_and_window() -> None:
    result = run(od_policy(), od_snapshot())
    (action,) = orders(result)
    assert action.call == CallSpec(
        TargetChain.RELAY,
        "OnDemand",
        "place_order_keep_alive",
        {"max_amount": DOT // 2, "para_id": PARA},
    )
    assert action.max_cost == DOT // 2 and action.expected_cost == DOT // 10
    assert action.window == f"relay:{RELAY // 10}"
    assert only(result, "on-demand").outcome == "act"


def test_one_order_per_window() -> None:
    first = orders(run(od_policy(), od_snapshot()))[0]
    same = orders(run(od_policy(), snapshot(RELAY + 4, ondemand=on_demand(), paras=BUSY)))[0]
    later = orders(run(od_policy(), snapshot(RELAY + 5, ondemand=on_demand(), paras=BUSY)))[0]
    assert first.id == same.id
    assert first.id != later.id


@pytest.mark.parametrize(
    ("spec", "snap", "outcome", "words"),
    [
        ({"enabled": False}, {}, "skip", "disabled"),
        ({}, {"ondemand": None}, "wait", "not in the snapshot"),
        ({"maxSpotPrice": None}, {}, "skip", "never orders without a cap"),
        ({}, {"workload": {7: work()}}, "skip", "runs on bulk core 7"),
        ({}, {"workplan": {(RELAY // PERIOD + 1, 8): work()}}, "skip", "runs on bulk core 8"),
        ({}, {"workplan": {(RELAY // PERIOD + 2, 8): work()}}, "act", "order one block"),
        ({"only": "always"}, {"workload": {7: work()}}, "act", "order one block"),
        ({"trigger": {}}, {}, "wait", "no trigger is set"),
        ({}, {"ondemand": on_demand(queued=(PARA,))}, "wait", "already queued"),
        ({}, {"ondemand": on_demand(size=500)}, "wait", "queue is full"),
        ({}, {"relay_balances": {PAYER: DOT // 10 - 1}}, "refuse", "payer holds"),
        ({"maxSpotPrice": "0.1 DOT"}, {}, "act", "order one block"),  # spot exactly at cap
    ],
)
def test_on_demand_table(
    spec: dict[str, Any], snap: dict[str, Any], outcome: str, words: str
) -> None:
    result = run(od_policy(**spec), od_snapshot(**snap))
    decision = only(result, "on-demand")
    assert (decision.outcome, words in decision.reason) == (outcome, True), decision.reason
    assert len(orders(result)) == (1 if outcome == "act" else 0)


def test_spot_one_planck_over_cap_alerts() -> None:
    result = run(od_policy(maxSpotPrice="0.0999999999 DOT"), od_snapshot())
    assert only(result, "on-demand").outcome == "refuse"
    assert alert_kinds(result) == [AlertKind.SPOT_OVER_CAP]


@pytest.mark.parametrize(
    ("trigger", "activity", "fires"),
    [
        ({"pendingExtrinsics": 3}, ParaActivity(pending_extrinsics=3), True),
        ({"pendingExtrinsics": 3}, ParaActivity(pending_extrinsics=2), False),
        ({"pendingExtrinsics": 3}, ParaActivity(), False),  # unknown
        ({"maxIdleRelayBlocks": 12}, ParaActivity(last_block_relay=RELAY - 12), True),
        ({"maxIdleRelayBlocks": 12}, ParaActivity(last_block_relay=RELAY - 11), False),
        ({"maxIdleRelayBlocks": 12}, None, False),
        (
            {"pendingExtrinsics": 3, "maxIdleRelayBlocks": 12},
            ParaActivity(last_block_relay=RELAY - 20, pending_extrinsics=0),
            True,
        ),
    ],
)
def test_triggers(trigger: dict[str, int], activity: ParaActivity | None, fires: bool) -> None:
    paras = {PARA: activity} if activity else {}
    result = run(od_policy(trigger=trigger), od_snapshot(paras=paras))
    assert (len(orders(result)) == 1) is fires, only(result, "on-demand").reason


@pytest.mark.parametrize(
    ("ages_minutes", "fires"),
    [
        ([1, 2], True),  # 2 of 3 used
        ([1, 2, 3], False),
        ([1, 2, 60], True),  # exactly an hour ago no longer counts
        ([1, 2, 59], False),
    ],
)
def test_rate_limit(ages_minutes: list[int], fires: bool) -> None:
    recent = {"acala": tuple(NOW - timedelta(minutes=m) for m in ages_minutes)}
    result = run(od_policy(maxOrdersPerHour=3), od_snapshot(), ledger(recent_orders=recent))
    assert (len(orders(result)) == 1) is fires


def test_pallet_and_function_follow_runtime_and_policy() -> None:
    snap = od_snapshot(capabilities=caps(on_demand_pallet="OnDemandAssignmentProvider"))
    (action,) = orders(run(od_policy(keepAlive=False), snap))
    assert (action.call.pallet, action.call.function) == (
        "OnDemandAssignmentProvider",
        "place_order_allow_death",
    )
    (default,) = orders(run(od_policy(), od_snapshot(capabilities=caps(on_demand_pallet=None))))
    assert default.call.pallet == "OnDemand"


def test_two_policies_do_not_spend_the_same_relay_funds() -> None:
    a, b = od_policy(), policy("beta", 2001, onDemand=ORDER)
    paras = {**BUSY, 2001: ParaActivity(pending_extrinsics=9)}
    result = run([a, b], od_snapshot(paras=paras, relay_balances={PAYER: DOT // 10}))
    assert [x.policy for x in orders(result)] == ["acala"]
