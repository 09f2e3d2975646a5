"""Renewal: renew the para's bulk core(s) in every sale where it holds a renewal right.

Why: a missed renewal loses the core for 28 days. The right is a complete `PotentialRenewals`
record ``{core, when == SaleInfo.region_begin}`` whose workload contains the para; `renew`
charges its stored price, so that price is both the cap to check and the budget to reserve.

After any successful renewal (manual, or the on-chain auto-renewal that runs inside the
rotation) the chain holds ``{new_core, when == region_end}`` instead and a Workplan entry at
``(region_begin, new_core)``. So "still has a right at region_begin" *is* "not renewed yet",
whatever auto-renewal records say: an `AutoRenewals` record due at or before region_begin with
the right still present means the auto-renewal did not happen (failed payment, limit reached),
and the agent falls back to a manual renewal and says so.
"""

from __future__ import annotations

from agent.model.actions import ActionKind, AlertKind, CallSpec, Severity, TargetChain
from agent.model.chain import PotentialRenewal
from agent.planner.context import PolicyContext
from agent.planner.fixed import scale_floor
from agent.planner.sale import Phase, SaleClock

TOPIC = "renewal"
_RENEW = ActionKind.RENEW.value


def decide_renewal(ctx: PolicyContext) -> None:
    spec = ctx.spec.renewal
    if not spec.enabled:
        ctx.decide(TOPIC, "skip", "renewal is disabled in the policy")
        return
    clock = ctx.index.clock
    if clock is None:
        ctx.decide(TOPIC, "wait", no_sale_reason(ctx))
        return
    records = ctx.index.renewals.get(ctx.para, ())
    rights = [r for r in records if r.when == clock.region_begin]
    if not rights:
        _nothing_to_renew(ctx, clock, records)
        return
    for record in rights:
        _renew_one(ctx, clock, record)


def no_sale_reason(ctx: PolicyContext) -> str:
    snap = ctx.index.snapshot
    if snap.sale is None:
        return "no bulk sale on chain yet (Broker.SaleInfo is empty)"
    return "Broker.Configuration is missing; cannot place the sale's phases"


def _nothing_to_renew(
    ctx: PolicyContext, clock: SaleClock, records: tuple[PotentialRenewal, ...]
) -> None:
    span = f"region {clock.region_begin}–{clock.region_end}"
    renewed = [r for r in records if r.when == clock.region_end]
    planned = [c for ts, c in ctx.index.workplan.get(ctx.para, ()) if ts == clock.region_begin]
    if renewed or planned:
        cores = sorted({r.core for r in renewed} | set(planned))
        autos = [a for a in ctx.index.auto_renewals.get(ctx.para, ()) if a.core in cores]
        how = " (on-chain auto-renewal enabled)" if autos else ""
        text = f"para {ctx.para} holds core {_cores(cores)} for {span}{how}"
        if renewed:
            text += f"; the next renewal costs {ctx.money(renewed[0].price)}"
        ctx.decide(TOPIC, "done", text)
        return
    later = [r for r in records if r.when > clock.region_begin]
    if later:
        first = later[0]
        ctx.decide(
            TOPIC,
            "skip",
            f"no renewal right in this sale ({span}); core {first.core} becomes renewable "
            f"in the sale for timeslice {first.when}",
        )
        return
    ctx.decide(TOPIC, "skip", f"para {ctx.para} has no renewal right in this sale ({span})")


def _cores(cores: list[int]) -> str:
    return ", ".join(str(c) for c in cores)


def _renew_one(ctx: PolicyContext, clock: SaleClock, record: PotentialRenewal) -> None:
    spec = ctx.spec.renewal
    snap = ctx.index.snapshot
    sale = snap.sale
    assert sale is not None  # a clock exists only with a sale
    core, price = record.core, record.price
    if not record.complete:
        ctx.decide(
            TOPIC,
            "wait",
            f"the renewal record for core {core} is partial; assign the rest of the core Final "
            "to make it renewable",
        )
        return
    _auto_renew_missed(ctx, clock, core)
    late = clock.phase is not Phase.INTERLUDE
    elapsed = clock.interlude_elapsed
    if elapsed >= spec.deadline:
        where = (
            "the interlude is over and cores are on open sale"
            if late
            else f"{ctx.pct(elapsed)} of the interlude has passed (deadline {ctx.pct(spec.deadline)})"
        )
        ctx.alert(
            AlertKind.RENEWAL_DEADLINE,
            Severity.CRITICAL if late else Severity.WARNING,
            f"core {core} of para {ctx.para} is not renewed yet: {where}",
        )
    if sale.cores_sold >= sale.cores_offered:
        ctx.decide(
            TOPIC,
            "refuse",
            f"core {core}: the sale is sold out ({sale.cores_sold}/{sale.cores_offered})",
        )
        ctx.alert(
            AlertKind.RENEWAL_MISSED,
            Severity.CRITICAL,
            f"core {core} of para {ctx.para} cannot be renewed: the sale is sold out",
        )
        return
    status = snap.status
    if status is not None and sale.first_core >= status.core_count:
        ctx.decide(
            TOPIC,
            "refuse",
            f"core {core}: no cores for sale (first core {sale.first_core} ≥ core count {status.core_count})",
        )
        return
    if not late and elapsed < spec.start_after:
        start_block = clock.rotation + -(-spec.start_after * clock.interlude_length // 10**9)
        ctx.decide(
            TOPIC,
            "wait",
            f"core {core}: {ctx.pct(elapsed)} of the interlude has passed; renewing after "
            f"{ctx.pct(spec.start_after)} (in {max(start_block - clock.now, 0)} blocks)",
        )
        return
    over = _over_caps(ctx, price)
    if over:
        ctx.decide(TOPIC, "refuse", f"core {core}: renewal price {ctx.money(price)} is {over}")
        ctx.alert(
            AlertKind.RENEWAL_OVER_CAP,
            Severity.CRITICAL,
            f"renewal of core {core} for para {ctx.para} costs {ctx.money(price)}, {over}",
        )
        return
    if ctx.payer is None:
        ctx.decide(TOPIC, "refuse", f"no account is known for signer '{ctx.spec.signer}'")
        return
    available = ctx.available()
    if available < price:
        ctx.decide(
            TOPIC,
            "refuse",
            f"core {core}: the payer holds {ctx.money(max(available, 0))}, the renewal costs "
            f"{ctx.money(price)}",
        )
        return
    ctx.commit(price)
    reason = f"renew core {core} for region {clock.region_begin}–{clock.region_end} at {ctx.money(price)}"
    following = ctx.index.next_renewal(price)
    if following is not None:
        reason += f"; the next renewal will cost {ctx.money(following)}"
    ctx.act(
        ActionKind.RENEW,
        call=CallSpec(TargetChain.CORETIME, "Broker", "renew", {"core": core}),
        target={"core": core},
        reason=reason,
        max_cost=price,
        expected_cost=price,
    )
    ctx.decide(TOPIC, "act", reason)


def _auto_renew_missed(ctx: PolicyContext, clock: SaleClock, core: int) -> None:
    due = [
        a
        for a in ctx.index.auto_renewals.get(ctx.para, ())
        if a.core == core and a.next_renewal <= clock.region_begin
    ]
    if due:
        ctx.alert(
            AlertKind.AUTO_RENEW_FAILED,
            Severity.WARNING,
            f"the on-chain auto-renewal of core {core} was due at the rotation but the core is "
            "still unrenewed; falling back to a manual renewal",
        )


def _over_caps(ctx: PolicyContext, price: int) -> str:
    """Why ``price`` breaks the policy's caps, or "" when it fits."""
    spec = ctx.spec.renewal
    if spec.max_price is not None and price > spec.max_price.planck:
        return f"above maxPrice {ctx.money(spec.max_price.planck)}"
    last = ctx.ledger.last_price_paid.get((ctx.name, _RENEW))
    if spec.max_increase is not None and last is not None:
        allowed = last + scale_floor(last, spec.max_increase)
        if price > allowed:
            return (
                f"more than maxIncrease {ctx.pct(spec.max_increase)} over the last price paid "
                f"{ctx.money(last)} (at most {ctx.money(allowed)})"
            )
    return ""
