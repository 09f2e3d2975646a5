"""The relay side: the on-demand order queue and spot price, and each para's block production.

Why: a parathread without bulk coretime goes idle until an on-demand order is served, and the
agent decides from the spot price and the para's idleness. Traffic follows the relay's code
(recomputed each relay block before orders are served, and inside each order before pricing);
orders become schedulable two relay blocks after they were placed, one per para per block on
`Limits.on_demand_cores` cores. A para's activity is computed lazily from the core assignments
the Broker sent and the orders served, so quiet stretches cost nothing to simulate.
"""

from __future__ import annotations

from agent.chain.sandbox.dispatch import DispatchFailure, Emit, event
from agent.chain.sandbox.pricing import next_traffic, spot_price
from agent.chain.sandbox.world import Env, Order, ParaSim, World
from agent.model.chain import ParaActivity


def busy(w: World, env: Env) -> bool:
    """Whether relay blocks still change something (queued orders, traffic above its floor)."""
    return bool(w.on_demand.orders) or w.on_demand.traffic != env.spot.traffic_floor


def relay_block(w: World, env: Env, number: int, emit: Emit) -> None:
    """One relay block's on-demand work: traffic update, then serve the ready orders."""
    queue = w.on_demand
    _update_traffic(w, env, emit)
    served: set[int] = set()
    remaining: list[Order] = []
    for order in queue.orders:
        ready = order.ordered_at + 2 <= number
        if len(served) < env.limits.on_demand_cores and ready and order.para_id not in served:
            served.add(order.para_id)
            para = w.paras.get(order.para_id)
            if para is not None:
                para.last_served = number
        else:
            remaining.append(order)
    queue.orders = remaining


def _update_traffic(w: World, env: Env, emit: Emit) -> None:
    queue = w.on_demand
    new = next_traffic(queue.traffic, len(queue.orders), env.spot)
    if new != queue.traffic:
        queue.traffic = new
        emit(event("OnDemand", "SpotPriceSet", spot_price=spot_price(new, env.spot.base_fee)))


def place_order(
    w: World, env: Env, who: str, max_amount: int, para_id: int, now: int, *, keep_alive: bool
) -> int:
    """`place_order_keep_alive` / `place_order_allow_death`; returns the spot price paid."""
    queue = w.on_demand
    _update_traffic(w, env, env.emit)
    price = spot_price(queue.traffic, env.spot.base_fee)
    if price > max_amount:
        raise DispatchFailure(
            "OnDemand",
            "SpotPriceHigherThanMaxAmount",
            "The order is more expensive than max_amount.",
        )
    if len(queue.orders) >= env.spot.max_queue_size:
        raise DispatchFailure("OnDemand", "QueueFull", "The order queue is full.")
    w.relay.withdraw(who, price, env.emit, keep_alive=keep_alive)
    queue.revenue += price
    queue.orders.append(Order(para_id=para_id, ordered_at=now))
    env.emit(
        event("OnDemand", "OnDemandOrderPlaced", para_id=para_id, spot_price=price, ordered_by=who)
    )
    return price


def last_block(w: World, para: ParaSim, now: int) -> int | None:
    """The relay block of the para's latest block: bulk cores produce every relay block."""
    best = para.last_served if para.last_served is not None and para.last_served <= now else None
    closed = w.bulk_last.get(para.para_id)
    if closed is not None and closed <= now:
        best = closed if best is None else max(best, closed)
    for history in w.assignments.values():
        for i, (begin, tasks) in enumerate(history):
            if begin > now:
                break
            if para.para_id not in tasks:
                continue
            following = history[i + 1][0] if i + 1 < len(history) else None
            end = now if following is None or following > now else following - 1
            best = end if best is None else max(best, end)
    return best


def pending(para: ParaSim, last: int | None, now: int) -> int:
    """Extrinsics waiting in the para's pool: each block it produces takes all of them."""
    every = para.inflow_every
    if last is not None and last >= para.pending_since:
        return (now - last) // every if every else 0
    return para.pending_base + ((now - para.pending_since) // every if every else 0)


def activity(w: World, para: ParaSim, now: int) -> ParaActivity:
    last = last_block(w, para, now)
    return ParaActivity(
        lifecycle=para.lifecycle,
        last_block_relay=last,
        pending_extrinsics=pending(para, last, now),
    )
