"""`plan`: every policy against one snapshot, to actions, alerts and one reason per topic.

Why: this is the decision core of the agent, and it is purely computational: everything it
knows is an argument (the snapshot pinned to one block, the ledger's view, ``now``, the payer
accounts), it reads no clock, disk or network, and it never raises for chain states that are
merely unusual (no sale yet, missing config): it explains them in a `Decision` instead.

Each policy is decided topic by topic: renewal, purchase (and assign), auto-renew (and
funding), on-demand. Balances promised by earlier actions of the same plan are subtracted for
later ones, so two policies sharing a payer are not both planned on the same money.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from agent.model.actions import Decision, Plan
from agent.model.chain import ChainSnapshot, Region
from agent.model.outcome import LedgerView
from agent.model.policy import LoadedPolicy
from agent.planner.autorenew import decide_auto_renew
from agent.planner.context import Outbox, PolicyContext
from agent.planner.index import SnapshotIndex, build_index
from agent.planner.ondemand import decide_on_demand
from agent.planner.purchase import decide_purchase
from agent.planner.renewal import decide_renewal


def plan(
    policies: Sequence[LoadedPolicy],
    snapshot: ChainSnapshot,
    ledger: LedgerView,
    now: datetime,
    payers: Mapping[str, str],
) -> Plan:
    """Decide what every policy needs now. ``payers``: signer name → 0x account id."""
    index = build_index(snapshot)
    out = Outbox()
    claims = allocate_regions(policies, index, payers)
    since = now - timedelta(hours=1)
    for loaded in policies:
        if loaded.network.name != snapshot.network:
            out.decisions.append(
                Decision(
                    loaded.name,
                    "policy",
                    "skip",
                    f"policy is for {loaded.network.name}; this snapshot is {snapshot.network}",
                )
            )
            continue
        ctx = PolicyContext(
            loaded=loaded,
            index=index,
            payer=payers.get(loaded.policy.spec.signer),
            out=out,
            ledger=ledger,
            claimed=claims.get(loaded.name, ()),
        )
        decide_renewal(ctx)
        decide_purchase(ctx)
        decide_auto_renew(ctx)
        decide_on_demand(ctx, since)
    return Plan(tuple(out.actions), tuple(out.alerts), tuple(out.decisions))


def allocate_regions(
    policies: Sequence[LoadedPolicy], index: SnapshotIndex, payers: Mapping[str, str]
) -> dict[str, tuple[Region, ...]]:
    """Which payer-owned, unexpired regions each purchasing policy may count and assign.

    Regions carry no para, so when several policies share a payer the regions are handed out
    deterministically: policies in the given order, regions by (begin, core), each policy up
    to `purchase.cores` per region start, counting the para's Workplan cores at that start.
    """
    snap = index.snapshot
    if not snap.regions:
        return {}
    current = index.current_timeslice
    owners = {name: account.lower() for name, account in payers.items()}
    taken: set[int] = set()
    claims: dict[str, tuple[Region, ...]] = {}
    for loaded in policies:
        spec = loaded.policy.spec
        if not spec.purchase.enabled or loaded.network.name != snap.network:
            continue
        payer = owners.get(spec.signer)
        if payer is None:
            continue
        mine: list[Region] = []
        per_begin: dict[int, int] = {}
        planned = index.workplan.get(spec.para_id, ())
        for region in index.regions.get(payer, ()):
            if region.end <= current or id(region) in taken:
                continue
            if region.begin not in per_begin:
                per_begin[region.begin] = sum(1 for ts, _ in planned if ts == region.begin)
            if per_begin[region.begin] >= spec.purchase.cores:
                continue
            per_begin[region.begin] += 1
            taken.add(id(region))  # identity: the same record of this snapshot
            mine.append(region)
        if mine:
            claims[loaded.name] = tuple(mine)
    return claims
