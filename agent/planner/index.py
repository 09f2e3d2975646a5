"""One pass over the snapshot, so each policy looks its para up in dicts.

Why: a plan covers up to thousands of policies against one snapshot; scanning every renewal
record, workplan entry and region per policy would make planning quadratic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from agent.model.chain import (
    AutoRenewal,
    ChainSnapshot,
    Lease,
    PotentialRenewal,
    Region,
    schedule_tasks,
)
from agent.planner.sale import (
    PriceCurve,
    RenewalRule,
    SaleClock,
    curve_for,
    renewal_rule_for,
    sale_clock,
    sale_price,
    stored_renewal_price,
)

ORDER_WINDOW = 10
"""Relay blocks per on-demand order window (one minute at 6 s blocks): one order per window."""


@dataclass(frozen=True, slots=True)
class SnapshotIndex:
    snapshot: ChainSnapshot
    clock: SaleClock | None
    curve: PriceCurve
    rule: RenewalRule
    renewals: Mapping[int, tuple[PotentialRenewal, ...]]
    """para → renewal records whose workload includes the para, sorted by (when, core)."""
    auto_renewals: Mapping[int, tuple[AutoRenewal, ...]]
    """task → its AutoRenewals records (more than one is a chain bug, #12602)."""
    workplan: Mapping[int, tuple[tuple[int, int], ...]]
    """para → (timeslice, core) Workplan keys assigning the para, sorted."""
    workload: Mapping[int, tuple[int, ...]]
    """para → cores whose current Workload assigns the para."""
    leases: Mapping[int, Lease]
    regions: Mapping[str, tuple[Region, ...]]
    """owner 0x id → regions it owns, sorted by (begin, core, mask)."""
    sale_price_now: int | None
    """The current purchase price, computed once."""
    current_timeslice: int
    """Relay block number // TimeslicePeriod."""
    relay_window: str
    sale_window: str
    """``sale:<region_begin>`` of the current sale (``sale:none`` without one)."""
    """The on-demand order window of this relay block (``relay:<block // ORDER_WINDOW>``)."""

    def next_renewal(self, old: int) -> int | None:
        """What a `renew` now, of a core priced ``old``, stores for the following sale."""
        snap = self.snapshot
        if snap.sale is None or snap.config is None or self.sale_price_now is None:
            return None
        return stored_renewal_price(
            old, snap.config.renewal_bump, snap.sale.end_price, self.sale_price_now, self.rule
        )


def build_index(snapshot: ChainSnapshot) -> SnapshotIndex:
    renewals: defaultdict[int, list[PotentialRenewal]] = defaultdict(list)
    for record in snapshot.potential_renewals:
        for task in record.tasks:
            renewals[task].append(record)
    autos: defaultdict[int, list[AutoRenewal]] = defaultdict(list)
    for auto in snapshot.auto_renewals:
        autos[auto.task].append(auto)
    plan: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for key, schedule in snapshot.workplan.items():
        for task in schedule_tasks(schedule):
            plan[task].append(key)
    load: defaultdict[int, list[int]] = defaultdict(list)
    for core, schedule in snapshot.workload.items():
        for task in schedule_tasks(schedule):
            load[task].append(core)
    leases: dict[int, Lease] = {}
    for lease in snapshot.leases:
        if lease.task not in leases or lease.until > leases[lease.task].until:
            leases[lease.task] = lease
    owned: defaultdict[str, list[Region]] = defaultdict(list)
    for region in snapshot.regions:
        if region.owner is not None:
            owned[region.owner.lower()].append(region)
    clock = sale_clock(snapshot)
    curve = curve_for(snapshot.capabilities)
    price = (
        sale_price(snapshot.sale, snapshot.now_in_sale_units, curve)
        if snapshot.sale is not None
        else None
    )
    return SnapshotIndex(
        snapshot=snapshot,
        clock=clock,
        curve=curve,
        rule=renewal_rule_for(snapshot.capabilities),
        renewals={k: tuple(sorted(v, key=lambda r: (r.when, r.core))) for k, v in renewals.items()},
        auto_renewals={k: tuple(v) for k, v in autos.items()},
        workplan={k: tuple(sorted(v)) for k, v in plan.items()},
        workload={k: tuple(sorted(v)) for k, v in load.items()},
        leases=leases,
        regions={
            k: tuple(sorted(v, key=lambda r: (r.begin, r.core, r.mask))) for k, v in owned.items()
        },
        sale_price_now=price,
        current_timeslice=snapshot.relay_block_number // snapshot.capabilities.timeslice_period,
        relay_window=f"relay:{snapshot.relay_block_number // ORDER_WINDOW}",
        sale_window=f"sale:{clock.region_begin}" if clock else "sale:none",
    )
