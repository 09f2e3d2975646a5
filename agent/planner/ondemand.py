"""On-demand: order a block on the relay when the para needs one and (usually) has no bulk core.

Why: a para that missed its renewal, or never had bulk coretime, still has to make blocks. An
order (`place_order_keep_alive(max_amount, para_id)` on the relay's on-demand pallet) buys one
block at the spot price, which can spike with traffic: the policy caps it (`maxSpotPrice`, the
order's `max_amount`) and rate-limits it (`maxOrdersPerHour`). One order per para per
`index.ORDER_WINDOW` relay blocks: the window is part of the action id, so a crash and restart in the
same window cannot order twice.

"Without bulk" means no core runs the para now: neither its current Workload nor a Workplan
entry that starts by the next timeslice assigns it. A bulk region that begins later does not
help the para now, so it does not stop an order.
"""

from __future__ import annotations

from datetime import datetime

from agent.model.actions import ActionKind, AlertKind, CallSpec, Severity, TargetChain
from agent.model.chain import ChainSnapshot
from agent.model.policy import OnDemandOnly, OnDemandSpec
from agent.planner.context import PolicyContext

TOPIC = "on-demand"
DEFAULT_PALLET = "OnDemand"


def decide_on_demand(ctx: PolicyContext, since: datetime) -> None:
    """``since``: the start of the rate-limit hour (``now − 1 h``, computed once per plan)."""
    spec = ctx.spec.on_demand
    if not spec.enabled:
        ctx.decide(TOPIC, "skip", "on-demand is disabled in the policy")
        return
    snap = ctx.index.snapshot
    state = snap.on_demand
    if state is None:
        ctx.decide(TOPIC, "wait", "the relay's on-demand state is not in the snapshot")
        return
    if spec.max_spot_price is None:
        ctx.decide(
            TOPIC, "skip", "onDemand.maxSpotPrice is not set; the agent never orders without a cap"
        )
        return
    if spec.only is OnDemandOnly.WITHOUT_BULK:
        core = bulk_core_now(ctx, snap)
        if core is not None:
            ctx.decide(TOPIC, "skip", f"para {ctx.para} runs on bulk core {core}")
            return
    fired, trigger = _trigger(ctx, snap, spec)
    if not fired:
        ctx.decide(TOPIC, "wait", trigger)
        return
    spot, cap = state.spot_price, spec.max_spot_price.planck
    if spot > cap:
        text = f"spot price {ctx.money(spot)} is above maxSpotPrice {ctx.money(cap)}"
        ctx.decide(TOPIC, "refuse", f"{trigger}, but the {text}")
        ctx.alert(AlertKind.SPOT_OVER_CAP, Severity.WARNING, f"para {ctx.para}: {text}")
        return
    if ctx.para in state.queued_paras:
        ctx.decide(TOPIC, "wait", f"{trigger}; an order for para {ctx.para} is already queued")
        return
    if state.queue_size >= state.max_queue_size:
        ctx.decide(TOPIC, "wait", f"{trigger}; the on-demand queue is full ({state.queue_size})")
        return
    recent = sum(1 for at in ctx.ledger.recent_orders.get(ctx.name, ()) if at > since)
    if recent >= spec.max_orders_per_hour:
        ctx.decide(
            TOPIC,
            "wait",
            f"{trigger}; {recent} orders in the last hour (maxOrdersPerHour {spec.max_orders_per_hour})",
        )
        return
    if ctx.payer is None:
        ctx.decide(TOPIC, "refuse", f"no account is known for signer '{ctx.spec.signer}'")
        return
    funds = ctx.available(relay=True)
    if funds < spot:
        ctx.decide(
            TOPIC,
            "refuse",
            f"{trigger}, but the payer holds {ctx.money(max(funds, 0))} on the relay "
            f"(spot {ctx.money(spot)})",
        )
        return
    ctx.commit(spot, relay=True)
    pallet = snap.capabilities.on_demand_pallet or DEFAULT_PALLET
    function = "place_order_keep_alive" if spec.keep_alive else "place_order_allow_death"
    reason = f"{trigger}: order one block at about {ctx.money(spot)} (limit {ctx.money(cap)})"
    ctx.act(
        ActionKind.ORDER_ON_DEMAND,
        call=CallSpec(
            TargetChain.RELAY, pallet, function, {"max_amount": cap, "para_id": ctx.para}
        ),
        target={"para_id": ctx.para},
        reason=reason,
        max_cost=cap,
        expected_cost=spot,
        window=ctx.index.relay_window,
    )
    ctx.decide(TOPIC, "act", reason)


def bulk_core_now(ctx: PolicyContext, snap: ChainSnapshot) -> int | None:
    """A core that runs the para now or from the next timeslice, if any."""
    running = ctx.index.workload.get(ctx.para, ())
    if running:
        return running[0]
    soon = ctx.index.current_timeslice + 1
    for ts, core in ctx.index.workplan.get(ctx.para, ()):
        if ts <= soon:
            return core
    return None


def _trigger(ctx: PolicyContext, snap: ChainSnapshot, spec: OnDemandSpec) -> tuple[bool, str]:
    """Whether a trigger fires, and why (or why not)."""
    trig = spec.trigger
    if trig.pending_extrinsics is None and trig.max_idle_relay_blocks is None:
        return False, "no trigger is set (trigger.pendingExtrinsics or trigger.maxIdleRelayBlocks)"
    activity = snap.paras.get(ctx.para)
    pending = activity.pending_extrinsics if activity else None
    last = activity.last_block_relay if activity else None
    quiet: list[str] = []
    if trig.pending_extrinsics is not None:
        if pending is None:
            quiet.append("pending extrinsics unknown")
        elif pending >= trig.pending_extrinsics:
            return True, f"{pending} pending extrinsic(s) (trigger {trig.pending_extrinsics})"
        else:
            quiet.append(f"{pending} pending extrinsic(s) < {trig.pending_extrinsics}")
    if trig.max_idle_relay_blocks is not None:
        if last is None:
            quiet.append("last block unknown")
        else:
            idle = snap.relay_block_number - last
            if idle >= trig.max_idle_relay_blocks:
                return (
                    True,
                    f"no block for {idle} relay blocks (trigger {trig.max_idle_relay_blocks})",
                )
            quiet.append(f"last block {idle} relay blocks ago < {trig.max_idle_relay_blocks}")
    return False, "no trigger: " + ", ".join(quiet)
