"""What the agent would do now: snapshot, plan and guard, recording nothing (`plan` command)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from agent.guard import GuardResult, check
from agent.model.actions import Plan
from agent.model.chain import ChainSnapshot
from agent.planner import plan as make_plan
from agent.runtime.cycle import horizon, snapshot_request
from agent.runtime.wiring import Agent, policies_by_network


@dataclass(frozen=True)
class NetworkPreview:
    network: str
    snapshot: ChainSnapshot
    plan: Plan
    guard: GuardResult
    payers: Mapping[str, str]


def preview(agent: Agent, now: datetime) -> list[NetworkPreview]:
    out: list[NetworkPreview] = []
    for network, policies in sorted(policies_by_network(agent.policies).items()):
        port = agent.ports[network]
        payers = {
            name: port.account_of(spec)
            for name, spec in agent.signers.items()
            if any(p.policy.spec.signer == name for p in policies)
        }
        snapshot = port.snapshot(snapshot_request(policies, payers))
        view = agent.ledger.view(
            now=now, policies=[p.name for p in policies], horizon=horizon(policies)
        )
        plan = make_plan(policies, snapshot, view, now, payers)
        out.append(
            NetworkPreview(network, snapshot, plan, check(plan, policies, view, now), payers)
        )
    return out
