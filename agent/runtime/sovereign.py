"""A parachain's sovereign accounts on the Coretime chain and the relay, for display."""

from __future__ import annotations

from dataclasses import dataclass

from agent.chain.addresses import to_ss58
from agent.model.accounts import child_account, sibling_account
from agent.model.network import Network


@dataclass(frozen=True, slots=True)
class SovereignAccounts:
    para_id: int
    network: str
    sibling_hex: str
    sibling_ss58: str
    sibling_prefix: int
    child_hex: str
    child_ss58: str
    child_prefix: int


def sovereign_accounts(
    para_id: int, network: Network, ss58: int | None = None
) -> SovereignAccounts:
    """Sibling account (pays auto-renewal on the Coretime chain) and child account (relay)."""
    sib_prefix = network.ss58_prefix if ss58 is None else ss58
    child_prefix = network.relay_ss58_prefix if ss58 is None else ss58
    sib, child = sibling_account(para_id), child_account(para_id)
    return SovereignAccounts(
        para_id,
        network.name,
        sib,
        to_ss58(sib, sib_prefix),
        sib_prefix,
        child,
        to_ss58(child, child_prefix),
        child_prefix,
    )
