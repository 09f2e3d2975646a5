"""The Broker's money path: purchase, renew and auto-renewal, as `pallet_broker` dispatches them.

Why: these are the calls the agent pays through, so the checks run in the runtime's order (the
first failing check names the error) and every price comes from `pricing`. Each function takes
the world, the environment and ``now``: the relay block the call sees (the block's own relay
parent for an extrinsic, the previous block's inside `on_initialize`).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from agent.chain.sandbox.dispatch import (
    DispatchFailure,
    broker_error,
    event,
    region_value,
    schedule_value,
)
from agent.chain.sandbox.pricing import next_renewal_price, sale_price
from agent.chain.sandbox.world import Env, RegionRecord, RenewalRecord, World
from agent.model.accounts import sibling_account
from agent.model.chain import COMPLETE_MASK, AutoRenewal, BrokerStatus, SaleInfo


def require_status(w: World) -> BrokerStatus:
    if w.broker.status is None:
        raise broker_error("Uninitialized")
    return w.broker.status


def require_sale(w: World) -> SaleInfo:
    if w.broker.sale is None:
        raise broker_error("NoSales")
    return w.broker.sale


def ensure_cores_for_sale(status: BrokerStatus, sale: SaleInfo) -> None:
    if sale.first_core >= status.core_count:
        raise broker_error("Unavailable")
    if sale.cores_sold >= sale.cores_offered:
        raise broker_error("SoldOut")


def charge(w: World, env: Env, who: str, amount: int) -> None:
    """`Currency::withdraw(Exact, Expendable, Polite)` and hand the credit to `OnRevenue`."""
    w.coretime.withdraw(who, amount, env.emit, keep_alive=False)
    if amount:
        revenue = env.revenue_account
        w.coretime.free[revenue] = w.coretime.balance(revenue) + amount
        env.emit(event("Balances", "Deposit", who=revenue, amount=amount))


def purchase_core(w: World, env: Env, who: str, price: int, sale: SaleInfo) -> tuple[int, SaleInfo]:
    """Charge ``price`` and take the next core of the sale; the caller stores the sale."""
    charge(w, env, who, price)
    core = sale.first_core + sale.cores_sold
    sold = sale.cores_sold + 1
    sellout = sale.sellout_price
    if sold <= sale.ideal_cores_sold or sellout is None:
        sellout = price
    sale = replace(sale, cores_sold=sold, sellout_price=sellout)
    return core, sale


def do_purchase(w: World, env: Env, who: str, price_limit: int, now: int) -> None:
    status = require_status(w)
    sale = require_sale(w)
    ensure_cores_for_sale(status, sale)
    if now <= sale.sale_start:
        raise broker_error("TooEarly")
    price = sale_price(sale, now)
    if price_limit < price:
        raise broker_error("Overpriced")
    core, sale = purchase_core(w, env, who, price, sale)
    w.broker.sale = sale
    w.broker.regions[(sale.region_begin, core, COMPLETE_MASK)] = RegionRecord(
        sale.region_end, who, price
    )
    env.emit(
        event(
            "Broker",
            "Purchased",
            who=who,
            region_id=region_value(sale.region_begin, core, COMPLETE_MASK),
            price=price,
            duration=sale.region_end - sale.region_begin,
        )
    )


def do_renew(w: World, env: Env, who: str, core: int, now: int) -> int:
    """Renew the workload of ``core`` for the sale's region; returns the core it now has."""
    config = w.broker.config
    if config is None:
        raise broker_error("Uninitialized")
    status = require_status(w)
    sale = require_sale(w)
    ensure_cores_for_sale(status, sale)
    renewal_id = (core, sale.region_begin)
    record = w.broker.renewals.get(renewal_id)
    if record is None:
        raise broker_error("NotAllowed")
    if not record.complete:
        raise broker_error("IncompleteAssignment")
    workload = record.workload
    new_core, sale = purchase_core(w, env, who, record.price, sale)
    env.emit(
        event(
            "Broker",
            "Renewed",
            who=who,
            old_core=core,
            core=new_core,
            price=record.price,
            begin=sale.region_begin,
            duration=sale.region_end - sale.region_begin,
            workload=schedule_value(workload),
        )
    )
    w.broker.workplan[(sale.region_begin, new_core)] = workload
    price = next_renewal_price(
        old=record.price,
        bump=config.renewal_bump,
        end_price=sale.end_price,
        price_now=sale_price(sale, now),
    )
    del w.broker.renewals[renewal_id]
    w.broker.renewals[(new_core, sale.region_end)] = RenewalRecord(price, COMPLETE_MASK, workload)
    w.broker.sale = sale
    env.emit(
        event(
            "Broker",
            "Renewable",
            core=new_core,
            price=price,
            begin=sale.region_end,
            workload=schedule_value(workload),
        )
    )
    return new_core


def check_sovereign(who: str, task: int) -> None:
    """Only the task's sibling account may switch its auto-renewal (`NoPermission`)."""
    if who != sibling_account(task):
        raise broker_error("NoPermission")


def do_enable_auto_renew(
    w: World, env: Env, who: str, core: int, task: int, hint: int | None, now: int
) -> None:
    check_sovereign(who, task)
    sale = require_sale(w)
    if (core, sale.region_begin) in w.broker.renewals:
        new_core = do_renew(w, env, who, core, now)
        core = core if env.auto_renew_keeps_old_core else new_core
    elif hint is None or (core, hint) not in w.broker.renewals:
        raise broker_error("NotAllowed")
    records = w.broker.auto_renewals
    if len(records) >= env.limits.max_auto_renewals:
        raise broker_error("TooManyAutoRenewals")
    position = bisect_left([r.core for r in records], core)
    next_renewal = hint if hint is not None else sale.region_end
    records.insert(position, AutoRenewal(core=core, task=task, next_renewal=next_renewal))
    env.emit(event("Broker", "AutoRenewalEnabled", core=core, task=task))


def do_disable_auto_renew(w: World, env: Env, who: str, core: int, task: int) -> None:
    check_sovereign(who, task)
    records = w.broker.auto_renewals
    cores = [r.core for r in records]
    position = bisect_left(cores, core)
    if position >= len(records) or cores[position] != core:
        raise broker_error("AutoRenewalNotEnabled")
    if records[position].task != task:
        raise broker_error("NoPermission")
    del records[position]
    env.emit(event("Broker", "AutoRenewalDisabled", core=core, task=task))


def renew_cores(w: World, env: Env, sale: SaleInfo, now: int) -> None:
    """Auto-renewals due at this rotation, paid by each task's sibling account."""
    kept: list[AutoRenewal] = []
    for record in list(w.broker.auto_renewals):
        if sale.region_begin < record.next_renewal:
            kept.append(record)
            continue
        payer = sibling_account(record.task)
        try:
            new_core = do_renew(w, env, payer, record.core, now)
        except DispatchFailure:
            env.emit(event("Broker", "AutoRenewalFailed", core=record.core, payer=payer))
            continue
        kept.append(AutoRenewal(core=new_core, task=record.task, next_renewal=sale.region_end))
    if len(kept) > env.limits.max_auto_renewals:
        env.emit(event("Broker", "AutoRenewalLimitReached"))
        return
    w.broker.auto_renewals = kept
