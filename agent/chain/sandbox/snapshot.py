"""Reading the sandbox's state as a `ChainSnapshot`, and what its runtime offers.

Why: the agent plans from one immutable picture; the sandbox gives the same picture the real
reader builds (the same record types and units), taken at the latest block of both chains.
"""

from __future__ import annotations

import hashlib

from agent.chain.sandbox.calls import BROKER_CALLS
from agent.chain.sandbox.config import RUNTIME_APIS, SandboxConfig
from agent.chain.sandbox.relay import activity
from agent.chain.sandbox.world import Env, World
from agent.model.accounts import sibling_account
from agent.model.chain import (
    BlockRef,
    BlockUnits,
    Capabilities,
    ChainSnapshot,
    OnDemandState,
    PotentialRenewal,
    Region,
)
from agent.model.port import SnapshotRequest


def block_hash(chain: str, number: int, epoch: int) -> str:
    digest = hashlib.blake2b(f"{chain}:{number}:{epoch}".encode(), digest_size=32)
    return "0x" + digest.hexdigest()


def capabilities(config: SandboxConfig) -> Capabilities:
    return Capabilities(
        spec_name=config.spec_name,
        spec_version=config.spec_version,
        broker_storage_version=4,
        block_units=BlockUnits.RELAY,
        renewals_storage="PotentialRenewals",
        sale_price_field="end_price",
        has_auto_renew=True,
        has_minimum_credit_purchase=True,
        on_demand_pallet="OnDemand",
        on_demand_storage="OrderStatus",
        xcm_versions=(3, 4, 5),
        runtime_apis=RUNTIME_APIS,
        broker_calls=frozenset(BROKER_CALLS),
        timeslice_period=config.limits.timeslice_period,
    )


def snapshot(w: World, env: Env, config: SandboxConfig, request: SnapshotRequest) -> ChainSnapshot:
    st, now = w.broker, w.clock.relay
    paras = {p: w.paras[p] for p in request.para_ids if p in w.paras}
    accounts = set(request.accounts) | {sibling_account(p) for p in request.para_ids}
    owners = set(request.region_owners)
    renewals = tuple(
        PotentialRenewal(
            core=core,
            when=when,
            price=record.price,
            complete=record.complete,
            workload=record.workload,
        )
        for (core, when), record in sorted(st.renewals.items())
    )
    regions = tuple(
        Region(begin=b, core=c, mask=m, end=r.end, owner=r.owner, paid=r.paid)
        for (b, c, m), r in sorted(st.regions.items())
        if r.owner is not None and r.owner in owners
    )
    queue = w.on_demand
    return ChainSnapshot(
        network=config.network.name,
        coretime_block=BlockRef(
            w.clock.block, block_hash("coretime", w.clock.block, w.clock.epoch)
        ),
        relay_block_number=now,
        capabilities=capabilities(config),
        config=st.config,
        status=st.status,
        sale=st.sale,
        potential_renewals=renewals,
        auto_renewals=tuple(st.auto_renewals),
        leases=tuple(st.leases),
        workplan=dict(sorted(st.workplan.items())),
        workload=dict(sorted(st.workload.items())),
        regions=regions,
        balances={a: w.coretime.balance(a) for a in sorted(accounts)},
        relay_block=BlockRef(now, block_hash("relay", now, w.clock.epoch)),
        on_demand=OnDemandState(
            traffic=queue.traffic,
            base_fee=env.spot.base_fee,
            queue_size=len(queue.orders),
            max_queue_size=env.spot.max_queue_size,
            target_queue_utilization=env.spot.target_utilization,
            fee_variability=env.spot.fee_variability,
            queued_paras=tuple(o.para_id for o in queue.orders),
        ),
        relay_balances={a: w.relay.balance(a) for a in sorted(set(request.relay_accounts))},
        paras={p: activity(w, para, now) for p, para in paras.items()},
        existential_deposit=w.coretime.existential_deposit,
    )
