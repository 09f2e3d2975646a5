"""What the agent knows of the chains at one block: the `ChainSnapshot` and its parts.

Why: the planner decides from one immutable picture pinned to one block per chain, so no
decision mixes two states. All amounts are integer planck; accounts are raw 32-byte public keys
as ``0x`` hex (SS58 strings differ by prefix for the same key, so they are never compared).
Block-number fields say in their name which clock they use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

COMPLETE_MASK = (1 << 80) - 1
"""A whole core: all 80 bits of a CoreMask set."""


class BlockUnits(StrEnum):
    """Which clock the Broker's sale timing (sale_start, leadin, interlude) is counted in."""

    RELAY = "relay"  # Broker storage version >= 4
    PARACHAIN = "parachain"  # older builds: Coretime-chain blocks


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What this runtime offers, detected from its metadata at connect time (protocol.md §8)."""

    spec_name: str
    spec_version: int
    broker_storage_version: int
    block_units: BlockUnits
    renewals_storage: str  # "PotentialRenewals" or "AllowedRenewals"
    sale_price_field: str  # "end_price" or "price"
    has_auto_renew: bool
    has_minimum_credit_purchase: bool
    on_demand_pallet: str | None  # "OnDemand" / "OnDemandAssignmentProvider" on the relay
    on_demand_storage: str | None  # "OrderStatus" (v2) or "QueueStatus" (v1)
    xcm_versions: tuple[int, ...]
    runtime_apis: frozenset[str]
    broker_calls: frozenset[str]
    timeslice_period: int = 80


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    advance_notice: int  # relay blocks
    interlude_length: int  # relay or parachain blocks, see Capabilities.block_units
    leadin_length: int  # same unit as interlude_length
    region_length: int  # timeslices
    ideal_bulk_proportion: int  # perbill
    limit_cores_offered: int | None
    renewal_bump: int  # perbill
    contribution_timeout: int  # timeslices


@dataclass(frozen=True, slots=True)
class SaleInfo:
    sale_start: int  # block in BlockUnits
    leadin_length: int
    end_price: int  # planck
    region_begin: int  # timeslice
    region_end: int  # timeslice
    ideal_cores_sold: int
    cores_offered: int
    first_core: int
    sellout_price: int | None
    cores_sold: int


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    core_count: int
    private_pool_size: int
    system_pool_size: int
    last_committed_timeslice: int
    last_timeslice: int


class AssignmentKind(StrEnum):
    IDLE = "idle"
    POOL = "pool"
    TASK = "task"


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    mask: int  # 80-bit CoreMask as an integer, byte 0 most significant
    kind: AssignmentKind
    task: int | None = None


Schedule = tuple[ScheduleItem, ...]


def schedule_tasks(schedule: Schedule) -> frozenset[int]:
    """The para ids a schedule assigns any part of the core to."""
    return frozenset(
        i.task for i in schedule if i.kind is AssignmentKind.TASK and i.task is not None
    )


@dataclass(frozen=True, slots=True)
class PotentialRenewal:
    core: int
    when: int  # timeslice at which the renewable workload ends (= the sale's region_begin to renew)
    price: int  # planck the next renew charges
    complete: bool
    workload: Schedule = ()

    @property
    def tasks(self) -> frozenset[int]:
        return schedule_tasks(self.workload)


@dataclass(frozen=True, slots=True)
class AutoRenewal:
    core: int
    task: int
    next_renewal: int  # timeslice


@dataclass(frozen=True, slots=True)
class Lease:
    task: int
    until: int  # timeslice


@dataclass(frozen=True, slots=True)
class Region:
    begin: int  # timeslice
    core: int
    mask: int
    end: int  # timeslice
    owner: str | None  # 0x account id
    paid: int | None  # planck; None once partitioned (no renewal right)

    @property
    def region_id(self) -> int:
        """The region NFT id: ``begin << 96 | core << 80 | mask``."""
        return (self.begin << 96) | (self.core << 80) | self.mask


@dataclass(frozen=True, slots=True)
class OnDemandState:
    """Relay on-demand inputs: spot = traffic × base_fee (traffic is FixedU128, 10^18 = 1.0)."""

    traffic: int
    base_fee: int
    queue_size: int
    max_queue_size: int
    target_queue_utilization: int  # perbill
    fee_variability: int  # perbill
    queued_paras: tuple[int, ...] = ()

    @property
    def spot_price(self) -> int:
        return self.traffic * self.base_fee // 10**18


@dataclass(frozen=True, slots=True)
class ParaActivity:
    """What the agent knows of a para's own block production (for on-demand triggers)."""

    lifecycle: str | None = None  # relay Paras.ParaLifecycles, e.g. "Parachain", "Parathread"
    last_block_relay: int | None = None  # relay block of the para's last included head
    pending_extrinsics: int | None = None  # from the parachain's own RPC, when configured


@dataclass(frozen=True, slots=True)
class BlockRef:
    number: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainSnapshot:
    """One immutable reading of the Coretime chain (and relay), each pinned to one block."""

    network: str
    coretime_block: BlockRef
    relay_block_number: int
    """The relay block the Broker sees (its clock for sales and timeslices)."""
    capabilities: Capabilities
    config: BrokerConfig | None
    status: BrokerStatus | None
    sale: SaleInfo | None
    potential_renewals: tuple[PotentialRenewal, ...] = ()
    auto_renewals: tuple[AutoRenewal, ...] = ()
    leases: tuple[Lease, ...] = ()
    workplan: Mapping[tuple[int, int], Schedule] = field(default_factory=dict)
    workload: Mapping[int, Schedule] = field(default_factory=dict)
    regions: tuple[Region, ...] = ()
    balances: Mapping[str, int] = field(default_factory=dict)
    """Free balance on the Coretime chain by 0x account id (payers and sibling accounts)."""
    relay_block: BlockRef | None = None
    on_demand: OnDemandState | None = None
    relay_balances: Mapping[str, int] = field(default_factory=dict)
    paras: Mapping[int, ParaActivity] = field(default_factory=dict)
    existential_deposit: int = 0

    @property
    def now_in_sale_units(self) -> int:
        """'Now' on the clock SaleInfo uses: the Coretime block number for old runtimes."""
        if self.capabilities.block_units is BlockUnits.RELAY:
            return self.relay_block_number
        return self.coretime_block.number
