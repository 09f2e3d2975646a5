"""Purchase and assign: buy bulk cores when the para has no renewal right, then assign them.

Why: a para without a renewal right (new, or one that lost it) must buy in the open sale, at a
moment the policy chooses (`when`), never above `maxPrice`. The bought region must then be
assigned to the para with `Final` finality before relay block ``begin · P − advance_notice``:
assigned later, `utilize` shortens the region and the next sale's renewal right is lost
(protocol.md §4.5).

The core index of a purchase is unknown until it lands, so purchases are told apart by their
ordinal among the para's cores for the region (``{"n": i}``): once the first region shows up
owned by the payer, the next tick plans ordinal 1, and a replanned ordinal 0 is refused by the
guard as already done.
"""

from __future__ import annotations

from agent.model.actions import ActionKind, AlertKind, CallSpec, Severity, TargetChain
from agent.model.chain import Region
from agent.model.policy import PurchaseSpec, PurchaseWhen
from agent.planner.context import PolicyContext
from agent.planner.fixed import share_perbill
from agent.planner.renewal import no_sale_reason
from agent.planner.sale import Phase, SaleClock, target_price

TOPIC = "purchase"
ASSIGN_TOPIC = "assign"


def decide_purchase(ctx: PolicyContext) -> None:
    spec = ctx.spec.purchase
    if not spec.enabled:
        ctx.decide(TOPIC, "skip", "purchase is disabled in the policy")
        return
    clock = ctx.index.clock
    if clock is None:
        ctx.decide(TOPIC, "wait", no_sale_reason(ctx))
        return
    _purchase(ctx, clock, spec)
    _assign(ctx, clock, spec)


def _purchase(ctx: PolicyContext, clock: SaleClock, spec: PurchaseSpec) -> None:
    snap = ctx.index.snapshot
    sale = snap.sale
    assert sale is not None  # a clock exists only with a sale
    if spec.max_price is None:
        ctx.decide(
            TOPIC, "skip", "purchase.maxPrice is not set; the agent never buys without a cap"
        )
        return
    rights = [
        r
        for r in ctx.index.renewals.get(ctx.para, ())
        if r.when == clock.region_begin and r.complete
    ]
    if rights:
        ctx.decide(
            TOPIC,
            "skip",
            f"para {ctx.para} holds a renewal right on core {rights[0].core} in this sale; "
            "renewal covers it",
        )
        return
    planned = [c for ts, c in ctx.index.workplan.get(ctx.para, ()) if ts == clock.region_begin]
    owned = [r for r in ctx.claimed if r.begin == clock.region_begin]
    have = len(planned) + len(owned)
    need = spec.cores - have
    span = f"region {clock.region_begin}–{clock.region_end}"
    if need <= 0:
        ctx.decide(TOPIC, "done", f"para {ctx.para} has {have} of {spec.cores} core(s) for {span}")
        return
    if not clock.purchase_open:
        ctx.decide(
            TOPIC,
            "wait",
            f"interlude: purchases open after block {clock.sale_start} "
            f"(in {clock.blocks_to_sale_start + 1} blocks)",
        )
        return
    price = ctx.index.sale_price_now or 0
    waiting = _not_yet(ctx, clock, spec, price)
    if waiting:
        ctx.decide(TOPIC, "wait", waiting)
        return
    cap = spec.max_price.planck
    if price > cap:
        if clock.phase is Phase.FIXED_PRICE:
            text = f"the fixed price {ctx.money(price)} is above maxPrice {ctx.money(cap)}"
            ctx.decide(TOPIC, "refuse", text)
            ctx.alert(AlertKind.PURCHASE_OVER_CAP, Severity.WARNING, f"para {ctx.para}: {text}")
        else:
            ctx.decide(
                TOPIC,
                "wait",
                f"price {ctx.money(price)} is above maxPrice {ctx.money(cap)}; it falls until "
                f"block {clock.leadin_end}",
            )
        return
    available = sale.cores_offered - sale.cores_sold
    if available <= 0:
        ctx.decide(
            TOPIC, "refuse", f"the sale is sold out ({sale.cores_sold}/{sale.cores_offered})"
        )
        ctx.alert(
            AlertKind.NO_CORETIME,
            Severity.CRITICAL,
            f"para {ctx.para} needs {need} core(s) for {span} and the sale is sold out",
        )
        return
    status = snap.status
    if status is not None and sale.first_core >= status.core_count:
        ctx.decide(
            TOPIC,
            "refuse",
            f"no cores for sale (first core {sale.first_core} ≥ core count {status.core_count})",
        )
        return
    if ctx.payer is None:
        ctx.decide(TOPIC, "refuse", f"no account is known for signer '{ctx.spec.signer}'")
        return
    wanted = min(need, available)
    funds = ctx.available()
    count = wanted if price == 0 else min(wanted, max(funds, 0) // price)
    if count == 0:
        ctx.decide(
            TOPIC,
            "refuse",
            f"the payer holds {ctx.money(max(funds, 0))}, a core costs {ctx.money(price)}",
        )
        return
    for k in range(count):
        ordinal = have + k
        ctx.commit(price)
        ctx.act(
            ActionKind.PURCHASE,
            call=CallSpec(TargetChain.CORETIME, "Broker", "purchase", {"price_limit": cap}),
            target={"n": ordinal},
            reason=f"buy core #{ordinal + 1} of {spec.cores} for {span} at about {ctx.money(price)}",
            max_cost=cap,
            expected_cost=price,
        )
    text = (
        f"buy {count} core(s) for {span} at about {ctx.money(price)} each "
        f"(limit {ctx.money(cap)}; {sale.cores_sold}/{sale.cores_offered} sold)"
    )
    if count < need:
        text += f"; {need - count} more needed later"
    ctx.decide(TOPIC, "act", text)


def _not_yet(ctx: PolicyContext, clock: SaleClock, spec: PurchaseSpec, price: int) -> str:
    """Why the policy's `when` does not allow buying at ``price`` yet, or "" when it does."""
    sale = ctx.index.snapshot.sale
    assert sale is not None
    if spec.when is PurchaseWhen.FIXED_PRICE and clock.phase is not Phase.FIXED_PRICE:
        return (
            f"lead-in price {ctx.money(price)}; buying at the fixed price from block "
            f"{clock.leadin_end} (in {clock.blocks_to_fixed_price} blocks)"
        )
    if spec.when is PurchaseWhen.BELOW_TARGET:
        target = target_price(sale, ctx.index.curve)
        if price > target:
            return f"price {ctx.money(price)} is above the target {ctx.money(target)}"
    if spec.when is PurchaseWhen.AT_OR_BELOW:
        if spec.at_or_below is None:
            return "purchase.when is at-or-below but purchase.atOrBelow is not set"
        if price > spec.at_or_below.planck:
            return (
                f"price {ctx.money(price)} is above atOrBelow {ctx.money(spec.at_or_below.planck)}"
            )
    return ""


def _assign(ctx: PolicyContext, clock: SaleClock, spec: PurchaseSpec) -> None:
    period = clock.timeslice_period
    for region in ctx.claimed:
        if region.end * period <= clock.relay_now:
            continue  # over; `drop_region` territory, nothing to assign
        deadline = region.begin * period - clock.advance_notice
        start = min(clock.rotation_relay, deadline)
        late = clock.relay_now >= deadline
        share = share_perbill(clock.relay_now - start, deadline - start)
        label = f"region {region.begin}–{region.end} on core {region.core}"
        if not late and share < spec.assign_before:
            at = start + -(-spec.assign_before * (deadline - start) // 10**9)
            ctx.decide(
                ASSIGN_TOPIC,
                "wait",
                f"{label}: assigning at {ctx.pct(spec.assign_before)} of the time before it "
                f"begins (relay block {at}; renewal rights need it before {deadline})",
            )
            continue
        reason = f"assign {label} to para {ctx.para} (Final)"
        if late:
            reason += f"; late (after relay block {deadline}), so no renewal right next sale"
            ctx.alert(
                AlertKind.RENEWAL_MISSED,
                Severity.WARNING,
                f"{label} is assigned after the advance notice; para {ctx.para} will have no "
                "renewal right for the following sale",
            )
        ctx.act(
            ActionKind.ASSIGN,
            call=CallSpec(
                TargetChain.CORETIME,
                "Broker",
                "assign",
                {"region_id": region_id_arg(region), "task": ctx.para, "finality": "Final"},
            ),
            target={"region_id": region.region_id},
            reason=reason,
            max_cost=0,
            expected_cost=0,
        )
        ctx.decide(ASSIGN_TOPIC, "act", reason)


def region_id_arg(region: Region) -> dict[str, int | str]:
    """A RegionId as call data: the mask as the 10 bytes of the CoreMask, 0x hex."""
    return {
        "begin": region.begin,
        "core": region.core,
        "mask": "0x" + region.mask.to_bytes(10, "big").hex(),
    }
