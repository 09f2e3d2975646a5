"""Everything the sandbox network holds, in one copyable value, and what stays fixed.

Why: a dry-run, a failed call's rollback and a saved checkpoint are all a copy of one `World`;
the pallets are functions over it. `Env` carries what does not change while the chain runs
(the price adapter, limits, the event sink), so copying the world never copies configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.chain.sandbox.balances import Ledger
from agent.chain.sandbox.dispatch import Emit
from agent.chain.sandbox.pricing import PriceAdapter, PricePath, SpotParams
from agent.model.chain import AutoRenewal, BrokerConfig, BrokerStatus, Lease, SaleInfo, Schedule


@dataclass
class RenewalRecord:
    """`PotentialRenewalRecord`: the price of the next renewal, and what is assigned so far."""

    price: int
    mask: int  # the parts assigned so far; complete when all 80 bits are set
    workload: Schedule = ()

    @property
    def complete(self) -> bool:
        return bool(self.workload)


@dataclass
class RegionRecord:
    end: int
    owner: str | None
    paid: int | None


RegionKey = tuple[int, int, int]  # (begin, core, mask)


@dataclass
class BrokerState:
    """The Broker pallet's storage."""

    config: BrokerConfig | None = None
    status: BrokerStatus | None = None
    sale: SaleInfo | None = None
    reservations: list[Schedule] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    renewals: dict[tuple[int, int], RenewalRecord] = field(default_factory=dict)
    auto_renewals: list[AutoRenewal] = field(default_factory=list)
    regions: dict[RegionKey, RegionRecord] = field(default_factory=dict)
    workplan: dict[tuple[int, int], Schedule] = field(default_factory=dict)
    workload: dict[int, Schedule] = field(default_factory=dict)
    pool_io: dict[int, list[int]] = field(default_factory=dict)  # timeslice -> [private, system]
    pooled: dict[RegionKey, tuple[int, str]] = field(default_factory=dict)  # -> (length, payee)
    core_count_inbox: int | None = None
    sale_index: int = -1
    """Sales initialised since `start_sales` (the first is 0); price paths key on it."""
    first_end_price: int = 0
    forced_end_price: int | None = None
    """A one-shot override of the next sale's end price (like `ScheduledBasePrice`)."""
    price_path: PricePath | None = None
    """A scenario hook that sets every next sale's end price (simulated market moves)."""


@dataclass
class Order:
    para_id: int
    ordered_at: int


@dataclass
class OnDemandQueue:
    """The relay's `OnDemand.OrderStatus`: traffic (FixedU128) and the order queue."""

    traffic: int
    orders: list[Order] = field(default_factory=list)
    revenue: int = 0


@dataclass
class ParaSim:
    """A parachain's own activity as the relay sees it, evaluated lazily (no per-block work)."""

    para_id: int
    lifecycle: str = "Parachain"
    sudo: str | None = None  # account of the parachain's sudo key
    pending_base: int = 0
    pending_since: int = 0
    inflow_every: int | None = None  # one new pending extrinsic every N relay blocks
    last_served: int | None = None  # relay block of the last on-demand block
    block_number: int = 0  # the parachain's own block height (for its submissions)


@dataclass
class Clock:
    block: int  # Coretime block number
    relay: int  # relay parent of the latest Coretime block
    prev_relay: int  # relay parent of the block before: what `on_initialize` sees
    relay_processed: int  # the last relay block whose on-demand work is done
    epoch: int = 0  # bumped when a checkpoint is restored, so new blocks get new hashes


@dataclass
class World:
    clock: Clock
    broker: BrokerState
    coretime: Ledger
    relay: Ledger
    on_demand: OnDemandQueue
    paras: dict[int, ParaSim] = field(default_factory=dict)
    proxies: dict[tuple[str, str], str] = field(default_factory=dict)  # (real, delegate) -> type
    nonces: dict[str, int] = field(default_factory=dict)
    assignments: dict[int, list[tuple[int, frozenset[int]]]] = field(default_factory=dict)
    """Relay side: per core, (first relay block, tasks) as `assign_core` delivered them."""
    bulk_last: dict[int, int] = field(default_factory=dict)
    """Relay side: per para, the last relay block of a bulk assignment already superseded."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Pallet constants (Polkadot's; Paseo has 10 reserved cores)."""

    timeslice_period: int = 80
    max_leased_cores: int = 55
    max_reserved_cores: int = 10
    max_auto_renewals: int = 100
    on_demand_cores: int = 1
    """Orders the relay serves per relay block (one per para per round)."""


@dataclass(frozen=True)
class Env:
    emit: Emit
    adapter: PriceAdapter
    limits: Limits
    spot: SpotParams
    revenue_account: str
    """Where sale revenue goes (`py/ctbrn`, burnt on Polkadot and Kusama)."""
    auto_renew_keeps_old_core: bool = False
    """pallet-broker before #10767 (stable2603), e.g. Paseo 2000006: an `enable_auto_renew` that
    renews at once records the core it was given, not the core the workload moved to."""
