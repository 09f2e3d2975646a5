"""Purchase strategies, caps and supply; then assigning the bought regions in time."""

from __future__ import annotations

from typing import Any

import pytest

from agent.model.actions import ActionKind, AlertKind, CallSpec, TargetChain
from agent.model.chain import COMPLETE_MASK
from agent.planner.purchase import region_id_arg
from tests.planning.builders import (
    ADVANCE,
    DOT,
    END_PRICE,
    LEADIN,
    LEADIN_END,
    NEXT_ROTATION,
    OTHER_PAYER,
    PAYER,
    PERIOD,
    REGION_BEGIN,
    ROTATION,
    SALE_START,
    alert_kinds,
    decisions,
    only,
    policy,
    region,
    right,
    run,
    snapshot,
    work,
)

HALF = SALE_START + LEADIN // 2  # price = target = 100 DOT
BUY = {"enabled": True, "maxPrice": "200 DOT"}


def buy_policy(name: str = "acala", para: int = 2000, **changes: Any) -> Any:
    return policy(name, para, purchase={**BUY, **changes})


def purchases(result: Any) -> list[Any]:
    return [a for a in result.actions if a.kind is ActionKind.PURCHASE]


@pytest.mark.parametrize(
    ("when", "now", "outcome"),
    [
        # fixed-price waits for the end of the lead-in
        ({"when": "fixed-price"}, SALE_START, "wait"),
        ({"when": "fixed-price"}, LEADIN_END - 1, "wait"),
        ({"when": "fixed-price"}, LEADIN_END, "act"),
        # below-target buys from the target (x = 0.5) on; 200 DOT cap also matters
        ({"when": "below-target"}, HALF - 1, "wait"),
        ({"when": "below-target"}, HALF, "act"),
        ({"when": "below-target"}, LEADIN_END, "act"),
        # at-or-below 50 DOT: 19 − 18x = 5 at x = 7/9
        ({"when": "at-or-below", "atOrBelow": "50 DOT"}, SALE_START + LEADIN * 7 // 9 - 1, "wait"),
        ({"when": "at-or-below", "atOrBelow": "50 DOT"}, SALE_START + LEADIN * 7 // 9, "act"),
        ({"when": "at-or-below"}, LEADIN_END, "wait"),  # atOrBelow missing: explained, no buy
        # any-time is still bounded by the interlude and by maxPrice (200 DOT at x = 4/9; x
        # rounds to 0.444444444 there, so the price is 200.0000008 DOT: one block more)
        ({"when": "any-time"}, SALE_START, "wait"),
        ({"when": "any-time"}, SALE_START + 1, "wait"),  # 999.99 DOT > cap
        ({"when": "any-time"}, SALE_START + LEADIN * 4 // 9, "wait"),
        ({"when": "any-time"}, SALE_START + LEADIN * 4 // 9 + 1, "act"),
    ],
)
def test_when_strategies(when: dict[str, Any], now: int, outcome: str) -> None:
    result = run(buy_policy(**when), snapshot(now))
    decision = only(result, "purchase")
    assert decision.outcome == outcome, decision.reason
    assert len(purchases(result)) == (1 if outcome == "act" else 0)


def test_purchase_action_targets_an_ordinal_and_reserves_the_cap() -> None:
    result = run(buy_policy(), snapshot(LEADIN_END))
    (action,) = purchases(result)
    assert action.call == CallSpec(
        TargetChain.CORETIME, "Broker", "purchase", {"price_limit": 200 * DOT}
    )
    assert action.target == {"n": 0}
    assert action.max_cost == 200 * DOT and action.expected_cost == END_PRICE
    assert action.window == f"sale:{REGION_BEGIN}"


@pytest.mark.parametrize(
    ("spec", "snap", "outcome", "words", "alerts"),
    [
        ({"enabled": False}, {}, "skip", "disabled", []),
        ({"maxPrice": None}, {}, "skip", "never buys without a cap", []),
        ({}, {"renewals": (right(),)}, "skip", "renewal covers it", []),
        ({}, {"workplan": {(REGION_BEGIN, 41): work()}}, "done", "has 1 of 1 core", []),
        ({}, {"regions": (region(),)}, "done", "has 1 of 1 core", []),
        ({}, {"with_sale": False}, "wait", "no bulk sale", []),
        (
            {"maxPrice": "9.9999999999 DOT"},
            {},
            "refuse",
            "fixed price 10 DOT is above maxPrice",
            [AlertKind.PURCHASE_OVER_CAP],
        ),
        ({"maxPrice": "10 DOT"}, {}, "act", "buy 1 core", []),
        (
            {},
            {"sale_changes": {"cores_sold": 10}},
            "refuse",
            "sold out",
            [AlertKind.NO_CORETIME],
        ),
        ({}, {"balances": {PAYER: END_PRICE - 1}}, "refuse", "the payer holds", []),
    ],
)
def test_purchase_table(
    spec: dict[str, Any], snap: dict[str, Any], outcome: str, words: str, alerts: list[AlertKind]
) -> None:
    result = run(buy_policy(**spec), snapshot(LEADIN_END, **snap))
    decision = only(result, "purchase")
    assert (decision.outcome, words in decision.reason) == (outcome, True), decision.reason
    assert alert_kinds(result) == alerts


def test_cap_above_price_during_leadin_waits_rather_than_alerts() -> None:
    result = run(buy_policy(when="any-time", maxPrice="20 DOT"), snapshot(HALF))
    assert only(result, "purchase").outcome == "wait"
    assert "falls until block" in only(result, "purchase").reason
    assert result.alerts == ()


@pytest.mark.parametrize(
    ("cores", "owned", "sold", "balance", "ordinals"),
    [
        (3, 0, 2, 10_000 * DOT, [0, 1, 2]),
        (3, 1, 2, 10_000 * DOT, [1, 2]),  # one region already owned: ordinals continue
        (3, 0, 9, 10_000 * DOT, [0]),  # one core left on sale
        (3, 0, 2, 2 * END_PRICE + 1, [0, 1]),  # money for two
    ],
)
def test_several_cores(
    cores: int, owned: int, sold: int, balance: int, ordinals: list[int]
) -> None:
    snap = snapshot(
        LEADIN_END,
        sale_changes={"cores_sold": sold},
        regions=tuple(region(core=40 + i) for i in range(owned)),
        balances={PAYER: balance},
    )
    result = run(buy_policy(cores=cores), snap)
    assert [a.target["n"] for a in purchases(result)] == ordinals


# -- assign ---------------------------------------------------------------------------------
DEADLINE = REGION_BEGIN * PERIOD - ADVANCE  # = NEXT_ROTATION
MIDWAY = ROTATION + (DEADLINE - ROTATION) // 2


@pytest.mark.parametrize(
    ("now", "assign_before", "outcome", "alerts"),
    [
        (MIDWAY - 1, "50%", "wait", []),
        (MIDWAY, "50%", "act", []),
        (LEADIN_END, "0%", "act", []),
        (DEADLINE - 1, "100%", "wait", []),
        (DEADLINE, "100%", "act", [AlertKind.RENEWAL_MISSED]),  # late: right lost, still assign
    ],
)
def test_assign_timing(now: int, assign_before: str, outcome: str, alerts: list[AlertKind]) -> None:
    result = run(buy_policy(assignBefore=assign_before), snapshot(now, regions=(region(),)))
    decision = only(result, "assign")
    assert decision.outcome == outcome, decision.reason
    assert alert_kinds(result) == alerts
    assigns = [a for a in result.actions if a.kind is ActionKind.ASSIGN]
    assert len(assigns) == (1 if outcome == "act" else 0)


def test_assign_call() -> None:
    owned = region(core=45)
    result = run(buy_policy(), snapshot(NEXT_ROTATION - 100, regions=(owned,)))
    (action,) = [a for a in result.actions if a.kind is ActionKind.ASSIGN]
    assert action.call.function == "assign"
    assert action.call.args == {
        "region_id": {"begin": REGION_BEGIN, "core": 45, "mask": "0x" + "ff" * 10},
        "task": 2000,
        "finality": "Final",
    }
    assert action.target == {"region_id": owned.region_id}
    assert action.max_cost == 0
    assert owned.region_id == (REGION_BEGIN << 96) | (45 << 80) | COMPLETE_MASK
    assert region_id_arg(owned)["mask"] == "0xffffffffffffffffffff"


def test_expired_or_foreign_regions_are_not_assigned() -> None:
    old = region(begin=REGION_BEGIN - 5040, end=LEADIN_END // PERIOD)  # ended this timeslice
    foreign = region(core=46, owner=OTHER_PAYER)
    result = run(buy_policy(), snapshot(LEADIN_END, regions=(old, foreign)))
    assert decisions(result, "assign") == []
    assert len(purchases(result)) == 1  # neither region counts as the para's core


def test_policies_sharing_a_payer_split_the_regions() -> None:
    a = buy_policy("alpha", 2000)
    b = buy_policy("beta", 2001, cores=2)
    owned = (region(core=45), region(core=46))
    result = run([a, b], snapshot(NEXT_ROTATION - 10, regions=owned))
    assigns = [
        (x.policy, x.call.args["region_id"]["core"])
        for x in result.actions
        if x.kind is ActionKind.ASSIGN
    ]
    assert assigns == [("alpha", 45), ("beta", 46)]
    # beta still needs one more core and buys it; alpha is complete
    assert [(x.policy, x.target) for x in purchases(result)] == [("beta", {"n": 1})]
