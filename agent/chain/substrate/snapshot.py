"""One `ChainSnapshot`: the Coretime chain (and relay) each read at one finalized block.

Why: every decision of a tick comes from one block per chain (architecture invariant 4). The
reads take a fixed number of round trips whatever the number of paras: the finalized head, then
one batch with every fixed key and balance plus the first key page of each map, then one batch
with the map values. `System.LastRuntimeUpgrade` is read in the same batch; if it names another
spec version than the loaded metadata, the runtime is reloaded and the read repeated once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.chain.addresses import to_account_id
from agent.chain.substrate import values
from agent.chain.substrate.capabilities import with_storage_version
from agent.chain.substrate.connection import Session
from agent.chain.substrate.runtime_view import RuntimeView, decode_u16
from agent.chain.substrate.storage import StateRead, StorageLayout, pallet_version_key, read_at
from agent.model.chain import (
    BlockRef,
    Capabilities,
    ChainSnapshot,
    OnDemandState,
    ParaActivity,
    Schedule,
)
from agent.model.network import Network
from agent.model.port import SnapshotRequest


class RuntimeChanged(Exception):
    """The block was produced by another runtime than the one whose metadata is loaded."""


@dataclass(frozen=True)
class CoretimeRead:
    spec_version: int
    block: BlockRef
    relay_block_number: int
    storage_version: int
    raw: Mapping[str, Any]
    potential_renewals: tuple[Any, ...]
    workplan: Mapping[tuple[int, int], Schedule]
    workload: Mapping[int, Schedule]
    regions: tuple[Any, ...]
    balances: Mapping[str, int]
    existential_deposit: int


@dataclass(frozen=True)
class RelayRead:
    block: BlockRef
    on_demand: OnDemandState | None
    paras: Mapping[int, ParaActivity] = field(default_factory=dict)
    balances: Mapping[str, int] = field(default_factory=dict)


def _check_runtime(layout: StorageLayout, read: StateRead) -> None:
    upgrade = layout.decode(
        "System", "LastRuntimeUpgrade", read.values.get(layout.key("System", "LastRuntimeUpgrade"))
    )
    if upgrade and int(upgrade["spec_version"]) != layout.spec_version:
        raise RuntimeChanged(str(upgrade["spec_version"]))


def _fixed(layout: StorageLayout, items: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    return {item: layout.key(*item) for item in items if layout.has(*item)}


def _account_keys(layout: StorageLayout, accounts: Sequence[str]) -> dict[str, str]:
    """`System.Account` keys by 0x account id (SS58 input is accepted and normalised)."""
    ids = dict.fromkeys(to_account_id(a) for a in accounts)
    return {a: layout.key("System", "Account", [a]) for a in ids}


def _map_entries(
    layout: StorageLayout, read: StateRead, pallet: str, name: str
) -> list[tuple[Any, Any]]:
    prefix = layout.prefix(pallet, name)
    return [
        (layout.decode_key(pallet, name, key), layout.decode(pallet, name, raw))
        for key, raw in sorted(read.maps.get(prefix, {}).items())
        if raw is not None
    ]


def read_coretime(
    session: Session, layout: StorageLayout, caps: Capabilities, request: SnapshotRequest
) -> CoretimeRead:
    head = str(session.request("chain_getFinalizedHead", []))
    fixed = _fixed(
        layout,
        [
            ("Broker", "Configuration"),
            ("Broker", "Status"),
            ("Broker", "SaleInfo"),
            ("Broker", "Leases"),
            ("Broker", "AutoRenewals"),
            ("ParachainSystem", "LastRelayChainBlockNumber"),
            ("System", "Number"),
            ("System", "LastRuntimeUpgrade"),
        ],
    )
    version_key = pallet_version_key("Broker")
    account_keys = _account_keys(layout, request.accounts)
    maps = [("Broker", caps.renewals_storage), ("Broker", "Workplan"), ("Broker", "Workload")]
    if request.region_owners:
        maps.append(("Broker", "Regions"))
    read = read_at(
        session,
        head,
        [*fixed.values(), version_key, *account_keys.values()],
        [layout.prefix(*m) for m in maps],
    )
    _check_runtime(layout, read)

    def fixed_value(pallet: str, name: str) -> Any:
        key = fixed.get((pallet, name))
        return layout.decode(pallet, name, read.values.get(key)) if key else None

    owners = {to_account_id(o) for o in request.region_owners}
    regions = tuple(
        region
        for key, value in (_map_entries(layout, read, "Broker", "Regions") if owners else [])
        if (region := values.region(key, value)).owner in owners
    )
    ed = layout.constant("Balances", "ExistentialDeposit")
    return CoretimeRead(
        spec_version=layout.spec_version,
        block=BlockRef(number=int(fixed_value("System", "Number") or 0), hash=head),
        relay_block_number=int(fixed_value("ParachainSystem", "LastRelayChainBlockNumber") or 0),
        storage_version=decode_u16(session, read.values.get(version_key)),
        raw={name: fixed_value(pallet, name) for pallet, name in fixed if pallet == "Broker"},
        potential_renewals=tuple(
            values.potential_renewal(k, v)
            for k, v in _map_entries(layout, read, "Broker", caps.renewals_storage)
        ),
        workplan={
            (int(k[0]), int(k[1])): values.schedule(v)
            for k, v in _map_entries(layout, read, "Broker", "Workplan")
        },
        workload={
            int(k): values.schedule(v) for k, v in _map_entries(layout, read, "Broker", "Workload")
        },
        regions=regions,
        balances={
            a: values.free_balance(layout.decode("System", "Account", read.values.get(k)))
            for a, k in account_keys.items()
        },
        existential_deposit=int(ed or 0),
    )


def read_relay(
    session: Session, layout: StorageLayout, caps: Capabilities, request: SnapshotRequest
) -> RelayRead:
    head = str(session.request("chain_getFinalizedHead", []))
    pallet = caps.on_demand_pallet
    fixed = _fixed(
        layout,
        [
            ("System", "Number"),
            ("System", "LastRuntimeUpgrade"),
            ("Configuration", "ActiveConfig"),
            *([(pallet, caps.on_demand_storage)] if pallet and caps.on_demand_storage else []),
        ],
    )
    paras = list(dict.fromkeys(int(p) for p in request.para_ids))
    para_items = [n for n in ("ParaLifecycles", "MostRecentContext") if layout.has("Paras", n)]
    para_keys = {(p, n): layout.key("Paras", n, [p]) for p in paras for n in para_items}
    account_keys = _account_keys(layout, request.relay_accounts)
    read = read_at(
        session, head, [*fixed.values(), *para_keys.values(), *account_keys.values()], []
    )
    _check_runtime(layout, read)

    def value(pallet_name: str, name: str, key: str | None) -> Any:
        return layout.decode(pallet_name, name, read.values.get(key)) if key else None

    on_demand = None
    if pallet and caps.on_demand_storage:
        on_demand = values.on_demand(
            value(pallet, caps.on_demand_storage, fixed.get((pallet, caps.on_demand_storage))),
            value("Configuration", "ActiveConfig", fixed.get(("Configuration", "ActiveConfig"))),
        )
    activity = {}
    for p in paras:
        lifecycle = value("Paras", "ParaLifecycles", para_keys.get((p, "ParaLifecycles")))
        context = value("Paras", "MostRecentContext", para_keys.get((p, "MostRecentContext")))
        activity[p] = ParaActivity(
            lifecycle=values.lifecycle(lifecycle), last_block_relay=values.optional_int(context)
        )
    number = value("System", "Number", fixed.get(("System", "Number")))
    return RelayRead(
        block=BlockRef(number=int(number or 0), hash=head),
        on_demand=on_demand,
        paras=activity,
        balances={
            a: values.free_balance(layout.decode("System", "Account", read.values.get(k)))
            for a, k in account_keys.items()
        },
    )


def read_pinned(view: RuntimeView, session: Session, read: Any, *args: Any) -> Any:
    """Run a reader; after a runtime upgrade at the block, reload the runtime and read once more."""
    try:
        return read(session, view.layout(session), *args)
    except RuntimeChanged:
        view.upgrade_to(session, str(session.request("chain_getFinalizedHead", [])))
        return read(session, view.layout(session), *args)


def assemble(
    network: Network, caps: Capabilities, core: CoretimeRead, relay: RelayRead | None
) -> ChainSnapshot:
    raw = core.raw
    caps = with_storage_version(caps, core.storage_version)
    return ChainSnapshot(
        network=network.name,
        coretime_block=core.block,
        relay_block_number=core.relay_block_number,
        capabilities=caps,
        config=values.broker_config(raw.get("Configuration")),
        status=values.broker_status(raw.get("Status")),
        sale=values.sale_info(raw.get("SaleInfo"), caps.sale_price_field),
        potential_renewals=core.potential_renewals,
        auto_renewals=values.auto_renewals(raw.get("AutoRenewals")),
        leases=values.leases(raw.get("Leases")),
        workplan=core.workplan,
        workload=core.workload,
        regions=core.regions,
        balances=core.balances,
        relay_block=relay.block if relay else None,
        on_demand=relay.on_demand if relay else None,
        relay_balances=relay.balances if relay else {},
        paras=relay.paras if relay else {},
        existential_deposit=core.existential_deposit,
    )
