"""The Broker's region and admin calls: assign (with renewal rights), transfer, partition, pool,
drops, leases, reservations and configuration.

Why: a renewal right is born in `assign(..., Final)` and lost by assigning late or partitioning;
the agent's purchase flow depends on getting exactly that right, so `utilize` and `do_assign`
follow the runtime step by step. Admin calls need Root (the caller checks the origin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.chain.sandbox.broker_market import require_status
from agent.chain.sandbox.dispatch import broker_error, event, region_value, schedule_value
from agent.chain.sandbox.world import Env, RegionKey, RegionRecord, RenewalRecord, World
from agent.model.chain import (
    COMPLETE_MASK,
    AssignmentKind,
    BrokerConfig,
    Lease,
    Schedule,
    ScheduleItem,
)

CONFIG_FIELDS = (
    "advance_notice",
    "interlude_length",
    "leadin_length",
    "region_length",
    "ideal_bulk_proportion",
    "limit_cores_offered",
    "renewal_bump",
    "contribution_timeout",
)


def configure(w: World, config: Mapping[str, Any]) -> None:
    record = BrokerConfig(**{name: config[name] for name in CONFIG_FIELDS})
    if record.leadin_length == 0:
        raise broker_error("InvalidConfig")
    w.broker.config = record


def reserve(w: World, env: Env, workload: Schedule) -> None:
    if len(w.broker.reservations) >= env.limits.max_reserved_cores:
        raise broker_error("TooManyReservations")
    index = len(w.broker.reservations)
    w.broker.reservations.append(workload)
    env.emit(event("Broker", "ReservationMade", index=index, workload=schedule_value(workload)))


def unreserve(w: World, env: Env, index: int) -> None:
    if index >= len(w.broker.reservations):
        raise broker_error("UnknownReservation")
    workload = w.broker.reservations.pop(index)
    env.emit(
        event("Broker", "ReservationCancelled", index=index, workload=schedule_value(workload))
    )


def set_lease(w: World, env: Env, task: int, until: int, now: int) -> None:
    if until <= now // env.limits.timeslice_period:
        raise broker_error("AlreadyExpired")
    if len(w.broker.leases) >= env.limits.max_leased_cores:
        raise broker_error("TooManyLeases")
    w.broker.leases.append(Lease(task=task, until=until))
    env.emit(event("Broker", "Leased", until=until, task=task))


def remove_lease(w: World, env: Env, task: int) -> None:
    for i, lease in enumerate(w.broker.leases):
        if lease.task == task:
            del w.broker.leases[i]
            env.emit(event("Broker", "LeaseRemoved", task=task))
            return
    raise broker_error("LeaseNotFound")


def _region(w: World, key: RegionKey, who: str | None) -> RegionRecord:
    region = w.broker.regions.get(key)
    if region is None:
        raise broker_error("UnknownRegion")
    if who is not None and region.owner != who:
        raise broker_error("NotOwner")
    return region


def transfer(w: World, env: Env, key: RegionKey, who: str, new_owner: str) -> None:
    region = _region(w, key, who)
    old_owner = region.owner
    region.owner = new_owner
    env.emit(
        event(
            "Broker",
            "Transferred",
            region_id=region_value(*key),
            old_owner=old_owner,
            owner=new_owner,
            duration=region.end - key[0],
        )
    )


def partition(w: World, env: Env, key: RegionKey, who: str, pivot_offset: int) -> None:
    require_status(w)
    region = _region(w, key, who)
    begin, core, mask = key
    pivot = begin + pivot_offset
    if pivot >= region.end:
        raise broker_error("PivotTooLate")
    if pivot <= begin:
        raise broker_error("PivotTooEarly")
    w.broker.regions[key] = RegionRecord(pivot, region.owner, None)
    w.broker.regions[(pivot, core, mask)] = RegionRecord(region.end, region.owner, None)
    env.emit(
        event(
            "Broker",
            "Partitioned",
            old_region_id=region_value(*key),
            new_region_ids=[region_value(*key), region_value(pivot, core, mask)],
        )
    )


def utilize(
    w: World, env: Env, key: RegionKey, who: str | None, final: bool
) -> tuple[RegionKey, RegionRecord] | None:
    """Take a region for use; a late region starts after the last committed timeslice."""
    status = require_status(w)
    region = _region(w, key, who)
    del w.broker.regions[key]
    begin, core, mask = key
    if begin <= status.last_committed_timeslice:
        duration = region.end - begin
        begin = status.last_committed_timeslice + 1
        if begin >= region.end:
            region_id = region_value(begin, core, mask)
            env.emit(event("Broker", "RegionDropped", region_id=region_id, duration=duration))
            return None
    elif (begin, core) in w.broker.workplan:
        plan = w.broker.workplan[(begin, core)]
        w.broker.workplan[(begin, core)] = tuple(i for i in plan if not i.mask & mask)
    key = (begin, core, mask)
    if not final:
        w.broker.regions[key] = region
    return key, region


def assign(w: World, env: Env, key: RegionKey, who: str | None, task: int, final: bool) -> None:
    config = w.broker.config
    if config is None:
        raise broker_error("Uninitialized")
    require_status(w)
    used = utilize(w, env, key, who, final)
    if used is None:
        return
    (begin, core, mask), region = used
    _unpool(w, env, (begin, core, mask), region)
    plan = [i for i in w.broker.workplan.get((begin, core), ()) if not i.mask & mask]
    if len(plan) < 80:
        plan.append(ScheduleItem(mask, AssignmentKind.TASK, task))
        w.broker.workplan[(begin, core)] = tuple(plan)
    duration = region.end - begin
    if duration == config.region_length and final and region.paid is not None:
        renewal_id = (core, region.end)
        existing = w.broker.renewals.get(renewal_id)
        assigned = mask
        if existing is not None and not existing.complete and existing.price == region.paid:
            assigned |= existing.mask
        workload = tuple(plan) if assigned == COMPLETE_MASK else ()
        w.broker.renewals[renewal_id] = RenewalRecord(region.paid, assigned, workload)
        if workload:
            env.emit(
                event(
                    "Broker",
                    "Renewable",
                    core=core,
                    price=region.paid,
                    begin=region.end,
                    workload=schedule_value(workload),
                )
            )
    env.emit(
        event(
            "Broker",
            "Assigned",
            region_id=region_value(begin, core, mask),
            duration=duration,
            task=task,
        )
    )


def pool(w: World, env: Env, key: RegionKey, who: str, payee: str, final: bool) -> None:
    used = utilize(w, env, key, who, final)
    if used is None:
        return
    (begin, core, mask), region = used
    plan = list(w.broker.workplan.get((begin, core), ()))
    duration = region.end - begin
    if len(plan) < 80:
        plan.append(ScheduleItem(mask, AssignmentKind.POOL))
        w.broker.workplan[(begin, core)] = tuple(plan)
        size = mask.bit_count()
        w.broker.pool_io.setdefault(begin, [0, 0])[0] += size
        w.broker.pool_io.setdefault(region.end, [0, 0])[0] -= size
        w.broker.pooled[(begin, core, mask)] = (duration, payee)
    env.emit(
        event("Broker", "Pooled", region_id=region_value(begin, core, mask), duration=duration)
    )


def _unpool(w: World, env: Env, key: RegionKey, region: RegionRecord) -> None:
    """`force_unpool_region`: a provisionally pooled region leaves the pool when reassigned."""
    if w.broker.pooled.pop(key, None) is None or w.broker.status is None:
        return
    end_timeslice = w.broker.status.last_committed_timeslice + 1
    if region.end <= end_timeslice:
        return
    size = key[2].bit_count()
    unpooled_at = max(end_timeslice, key[0])
    w.broker.pool_io.setdefault(unpooled_at, [0, 0])[0] -= size
    w.broker.pool_io.setdefault(region.end, [0, 0])[0] += size
    env.emit(event("Broker", "RegionUnpooled", region_id=region_value(*key), when=unpooled_at))


def drop_region(w: World, env: Env, key: RegionKey) -> None:
    status = require_status(w)
    region = _region(w, key, None)
    if status.last_committed_timeslice < region.end:
        raise broker_error("StillValid")
    del w.broker.regions[key]
    env.emit(
        event("Broker", "RegionDropped", region_id=region_value(*key), duration=region.end - key[0])
    )


def drop_renewal(w: World, env: Env, core: int, when: int) -> None:
    status = require_status(w)
    if status.last_committed_timeslice < when:
        raise broker_error("StillValid")
    if w.broker.renewals.pop((core, when), None) is None:
        raise broker_error("UnknownRenewal")
    env.emit(event("Broker", "PotentialRenewalDropped", core=core, when=when))


def remove_potential_renewal(w: World, env: Env, core: int, when: int) -> None:
    if w.broker.renewals.pop((core, when), None) is None:
        raise broker_error("UnknownRenewal")
    env.emit(event("Broker", "PotentialRenewalRemoved", core=core, timeslice=when))


def remove_assignment(w: World, env: Env, key: RegionKey) -> None:
    if w.broker.workplan.pop((key[0], key[1]), None) is None:
        raise broker_error("AssignmentNotFound")
    env.emit(event("Broker", "AssignmentRemoved", region_id=region_value(*key)))


def request_core_count(env: Env, core_count: int) -> None:
    env.emit(event("Broker", "CoreCountRequested", core_count=core_count))


def notify_core_count(w: World, core_count: int) -> None:
    w.broker.core_count_inbox = core_count
