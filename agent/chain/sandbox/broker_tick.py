"""The Broker's clock: `start_sales`, the per-block tick, sale rotation and core scheduling.

Why: sales, renewal windows and core assignments all follow from which timeslice is committed
when. As in the runtime, a block commits at most one timeslice, the tick sees the *previous*
block's relay number (`ValidationData` is set after `on_initialize`), and a sale rotates when
the committed timeslice reaches its `region_begin`, i.e. at about
``region_begin·80 − advance_notice``.
"""

from __future__ import annotations

from dataclasses import replace

from agent.chain.sandbox.broker_market import renew_cores
from agent.chain.sandbox.dispatch import (
    assignment_value,
    broker_error,
    event,
    schedule_value,
    task_schedule,
)
from agent.chain.sandbox.fixed import perbill_mul
from agent.chain.sandbox.pricing import AdaptedPrices, SalePerformance, sale_price
from agent.chain.sandbox.world import Env, RenewalRecord, World
from agent.model.chain import (
    COMPLETE_MASK,
    AssignmentKind,
    BrokerConfig,
    BrokerStatus,
    SaleInfo,
    Schedule,
    ScheduleItem,
)

POOL_SCHEDULE: Schedule = (ScheduleItem(COMPLETE_MASK, AssignmentKind.POOL),)
U16_MAX = 2**16 - 1
PARTS = 57_600


def ready_to_commit(config: BrokerConfig, now: int, period: int) -> int:
    """`latest_timeslice_ready_to_commit`."""
    return (now + config.advance_notice) // period


def start_sales(w: World, env: Env, end_price: int, extra_cores: int, now: int) -> None:
    config = w.broker.config
    if config is None:
        raise broker_error("Uninitialized")
    period = env.limits.timeslice_period
    core_count = len(w.broker.leases) + len(w.broker.reservations) + extra_cores
    env.emit(event("Broker", "CoreCountRequested", core_count=core_count))
    commit = ready_to_commit(config, now, period)
    status = BrokerStatus(
        core_count=core_count,
        private_pool_size=0,
        system_pool_size=0,
        last_committed_timeslice=max(commit - 1, 0),
        last_timeslice=now // period,
    )
    bootstrap = SaleInfo(
        sale_start=now,
        leadin_length=0,
        end_price=end_price,
        region_begin=commit,
        region_end=commit + config.region_length,
        ideal_cores_sold=0,
        cores_offered=0,
        first_core=0,
        sellout_price=None,
        cores_sold=0,
    )
    env.emit(event("Broker", "SalesStarted", price=end_price, core_count=core_count))
    rotate_sale(w, env, bootstrap, config, status, now)
    w.broker.status = status


def tick(w: World, env: Env, now: int) -> None:
    """`do_tick`, run at the start of every Coretime block with the previous relay number."""
    st = w.broker
    if st.status is None or st.config is None:
        return
    status, config, period = st.status, st.config, env.limits.timeslice_period
    if st.core_count_inbox is not None:
        status = replace(status, core_count=st.core_count_inbox)
        st.core_count_inbox = None
        env.emit(event("Broker", "CoreCountChanged", core_count=status.core_count))
    if status.last_committed_timeslice < ready_to_commit(config, now, period):
        commit = status.last_committed_timeslice + 1
        status = replace(status, last_committed_timeslice=commit)
        if st.sale is not None and commit >= st.sale.region_begin:
            rotate_sale(w, env, st.sale, config, status, now)
        status = process_pool(w, env, commit, status)
        for core in range(status.core_count):
            process_core_schedule(w, env, commit, commit * period, core)
    if status.last_timeslice < now // period:
        status = replace(status, last_timeslice=status.last_timeslice + 1)
    st.status = status


def _add_pool_io(w: World, when: int, private: int, system: int) -> None:
    io = w.broker.pool_io.setdefault(when, [0, 0])
    io[0] += private
    io[1] += system


def rotate_sale(
    w: World, env: Env, old: SaleInfo, config: BrokerConfig, status: BrokerStatus, now: int
) -> None:
    st = w.broker
    old_pooled = 0
    for i in range(old.cores_sold, old.cores_offered):
        old_pooled += 80
        st.workplan[(old.region_begin, old.first_core + i)] = POOL_SCHEDULE
    _add_pool_io(w, old.region_begin, 0, old_pooled)
    _add_pool_io(w, old.region_end, 0, -old_pooled)

    index = st.sale_index + 1
    prices = _new_prices(w, env, old, index)
    region_begin = old.region_end
    region_end = region_begin + config.region_length

    first_core = 0
    total_pooled = 0
    for schedule in st.reservations:
        total_pooled += sum(i.mask.bit_count() for i in schedule if i.kind is AssignmentKind.POOL)
        st.workplan[(region_begin, first_core)] = schedule
        first_core += 1
    _add_pool_io(w, region_begin, 0, total_pooled)
    _add_pool_io(w, region_end, 0, -total_pooled)

    remaining = []
    for lease in st.leases:
        schedule = task_schedule(lease.task)
        st.workplan[(region_begin, first_core)] = schedule
        if lease.until < region_end:
            price = prices.target_price
            st.renewals[(first_core, region_end)] = RenewalRecord(price, COMPLETE_MASK, schedule)
            env.emit(
                event(
                    "Broker",
                    "Renewable",
                    core=first_core,
                    price=price,
                    begin=region_end,
                    workload=schedule_value(schedule),
                )
            )
            env.emit(event("Broker", "LeaseEnding", when=region_end, task=lease.task))
        else:
            remaining.append(lease)
        first_core += 1
    st.leases = remaining

    limit = U16_MAX if config.limit_cores_offered is None else config.limit_cores_offered
    cores_offered = min(limit, max(status.core_count - first_core, 0))
    ideal = perbill_mul(config.ideal_bulk_proportion, cores_offered)
    sale = SaleInfo(
        sale_start=now + config.interlude_length,
        leadin_length=config.leadin_length,
        end_price=prices.end_price,
        region_begin=region_begin,
        region_end=region_end,
        ideal_cores_sold=ideal,
        cores_offered=cores_offered,
        first_core=first_core,
        sellout_price=prices.end_price if cores_offered > 0 else None,
        cores_sold=0,
    )
    st.sale = sale
    st.sale_index = index
    if index == 0:
        st.first_end_price = prices.end_price
    renew_cores(w, env, sale, now)
    env.emit(
        event(
            "Broker",
            "SaleInitialized",
            sale_start=sale.sale_start,
            leadin_length=sale.leadin_length,
            start_price=sale_price(sale, now),
            end_price=sale.end_price,
            region_begin=region_begin,
            region_end=region_end,
            ideal_cores_sold=ideal,
            cores_offered=cores_offered,
        )
    )


def _new_prices(w: World, env: Env, old: SaleInfo, index: int) -> AdaptedPrices:
    """The adapter's prices, unless the scenario forces the end price (sandbox hook)."""
    st = w.broker
    prices = env.adapter.adapt(SalePerformance(old.sellout_price, old.end_price))
    forced = st.forced_end_price
    st.forced_end_price = None
    if forced is None and st.price_path is not None and index >= 1:
        forced = st.price_path.end_price(index, st.first_end_price, old.end_price)
    if forced is None:
        return prices
    return AdaptedPrices(forced, max(prices.target_price, forced))


def process_pool(w: World, env: Env, when: int, status: BrokerStatus) -> BrokerStatus:
    private, system = w.broker.pool_io.pop(when, [0, 0])
    status = replace(
        status,
        private_pool_size=max(status.private_pool_size + private, 0),
        system_pool_size=max(status.system_pool_size + system, 0),
    )
    env.emit(
        event(
            "Broker",
            "HistoryInitialized",
            when=when,
            private_pool_size=status.private_pool_size,
            system_pool_size=status.system_pool_size,
        )
    )
    return status


def _order(item: ScheduleItem) -> tuple[int, int]:
    rank = {AssignmentKind.IDLE: 0, AssignmentKind.POOL: 1, AssignmentKind.TASK: 2}[item.kind]
    return rank, item.task or 0


def process_core_schedule(w: World, env: Env, when: int, rc_begin: int, core: int) -> None:
    """Move the workplan of ``(when, core)`` into the workload and tell the relay."""
    plan = w.broker.workplan.pop((when, core), None)
    if plan is None:
        return
    used = 0
    for item in plan:
        used |= item.mask
    merged = plan + tuple(i for i in w.broker.workload.get(core, ()) if not i.mask & used)
    w.broker.workload[core] = merged
    parts = [(i, i.mask.bit_count() * (PARTS // 80)) for i in merged]
    total = sum(p for _, p in parts)
    if total < PARTS:
        parts.append((ScheduleItem(0, AssignmentKind.IDLE), PARTS - total))
    parts.sort(key=lambda entry: (_order(entry[0]), entry[1]))
    merged_parts: list[tuple[tuple[int, int], object, int]] = []
    for item, share in parts:
        key = _order(item)
        if merged_parts and merged_parts[-1][0] == key:
            merged_parts[-1] = (key, merged_parts[-1][1], merged_parts[-1][2] + share)
        else:
            merged_parts.append((key, assignment_value(item), share))
    assignment = [[value, share] for _, value, share in merged_parts]
    env.emit(event("Broker", "CoreAssigned", core=core, when=rc_begin, assignment=assignment))
    tasks = frozenset(
        i.task for i in merged if i.kind is AssignmentKind.TASK and i.task is not None
    )
    history = w.assignments.setdefault(core, [])
    history.append((rc_begin, tasks))
    while len(history) > 4:
        _, old_tasks = history.pop(0)
        for task in old_tasks:  # superseded: its coverage ends where the next one begins
            w.bulk_last[task] = max(w.bulk_last.get(task, 0), history[0][0] - 1)
