"""Actions, spend entries and budgeted policies for the guard tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.model.actions import Action, ActionKind, CallSpec, TargetChain, action_id
from agent.model.outcome import SpendEntry
from agent.model.policy import LoadedPolicy
from tests.planning.builders import DOT, NOW, PARA, policy

SALE = 10_000


def budgeted(*limits: tuple[str, str], name: str = "acala", alert_at: str = "80%") -> LoadedPolicy:
    return policy(
        name,
        budget={"limits": [{"period": p, "amount": a} for p, a in limits], "alertAt": alert_at},
    )


def action(
    cost: int,
    *,
    n: int = 0,
    policy_name: str = "acala",
    sale: int | None = SALE,
    kind: ActionKind = ActionKind.PURCHASE,
) -> Action:
    target = {"n": n}
    window = f"sale:{sale}"
    return Action(
        id=action_id(
            network="polkadot",
            policy=policy_name,
            para_id=PARA,
            kind=kind,
            target=target,
            window=window,
        ),
        kind=kind,
        policy=policy_name,
        para_id=PARA,
        network="polkadot",
        window=window,
        max_cost=cost,
        call=CallSpec(TargetChain.CORETIME, "Broker", "purchase", {"price_limit": cost}),
        reason="test",
        signer="ops",
        target=target,
        expected_cost=cost,
        sale=sale,
    )


def spend(
    planck: int,
    *,
    at: datetime = NOW,
    sale: int | None = SALE,
    reserved: bool = False,
    policy_name: str = "acala",
    tag: Any = 0,
) -> SpendEntry:
    return SpendEntry(
        policy=policy_name,
        action_id=f"act_spent_{tag}",
        planck=planck,
        at=at,
        sale=sale,
        reserved=reserved,
    )


__all__ = ["DOT", "NOW", "SALE", "action", "budgeted", "spend"]
