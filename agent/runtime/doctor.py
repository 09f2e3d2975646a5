"""Pre-flight checks for an installation (`doctor`): settings, policies, chains, signers, ledger.

Why: the first run of a daemon should not be where an ops team learns that an endpoint is wrong,
a secret is missing or the sibling account is empty. Each check yields a line with a fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.errors import AgentError
from agent.model.accounts import sibling_account
from agent.model.money import format_amount
from agent.runtime.cycle import snapshot_request
from agent.runtime.wiring import Agent, policies_by_network


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False
    exit_code: int = 2
    """2: fix the input (settings, policies, funds); 3: a chain is unreachable."""


def run_checks(agent: Agent) -> Iterator[Check]:
    yield Check("policies", True, f"{len(agent.policies.policies)} valid")
    try:
        agent.ledger.view(now=datetime.now(UTC))
        yield Check("ledger", True, "readable")
    except AgentError as exc:
        yield Check("ledger", False, exc.one_line())
    for network, policies in sorted(policies_by_network(agent.policies).items()):
        port = agent.ports[network]
        try:
            caps = port.capabilities()
        except AgentError as exc:
            yield Check(f"{network}: chain", False, exc.one_line(), exit_code=exc.exit_code)
            continue
        yield Check(
            f"{network}: runtime",
            True,
            f"{caps.spec_name} v{caps.spec_version}, broker storage v{caps.broker_storage_version} "
            f"({caps.block_units.value} blocks), XCM {','.join(map(str, caps.xcm_versions)) or '?'}",
        )
        if any(p.policy.spec.auto_renew.manage for p in policies) and not caps.has_auto_renew:
            yield Check(f"{network}: auto-renew", False, "runtime has no enable_auto_renew call")
        if any(p.policy.spec.on_demand.enabled for p in policies) and caps.on_demand_pallet is None:
            yield Check(
                f"{network}: on-demand",
                False,
                "no relay endpoint or no on-demand pallet; set endpoints.<net>.relay",
                True,
            )
        payers = {n: port.account_of(s) for n, s in agent.signers.items()}
        snap = port.snapshot(snapshot_request(policies, payers))
        token = policies[0].network.token
        yield Check(
            f"{network}: sale",
            snap.sale is not None,
            "sales running" if snap.sale else "no sale on chain (Broker.SaleInfo empty)",
        )
        for name, account in payers.items():
            free = snap.balances.get(account, 0)
            yield Check(
                f"{network}: signer {name}",
                free > snap.existential_deposit,
                f"{account} holds {format_amount(free, token)}",
            )
        for p in policies:
            if p.policy.spec.auto_renew.manage:
                sib = sibling_account(p.para_id)
                free = snap.balances.get(sib, 0)
                yield Check(
                    f"{network}: para {p.para_id} sibling account",
                    free > 0,
                    f"{sib} holds {format_amount(free, token)}",
                    warning=free == 0,
                )
