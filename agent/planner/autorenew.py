"""Auto-renew: keep the Broker's on-chain auto-renewal as the policy wants it, and funded.

Why: `enable_auto_renew(core, task, workload_end_hint)` must come from the para's sibling
account (an XCM `Transact` the runtime builds around the inner Broker call planned here). It
renews *immediately* when ``PotentialRenewals{core, when == region_begin}`` exists, paid by the
sibling account; otherwise it needs ``PotentialRenewals{core, when == hint}``. The record then
renews at every rotation, paid by the sibling account on the Coretime chain, and is dropped
(silently for the para) when that account cannot pay. So the agent keeps the record present and
the account funded: next renewal price × (1 + margin) + existential deposit.

The core the para will run on next is taken from the Workplan first (a renewal this sale moves
the para to a new core), then the Workload (what runs now), then the renewal records.
"""

from __future__ import annotations

from functools import lru_cache

from agent.model.accounts import sibling_account
from agent.model.actions import ActionKind, AlertKind, CallSpec, Severity, TargetChain
from agent.model.chain import PotentialRenewal
from agent.model.policy import AutoRenewSpec
from agent.planner.context import PolicyContext, balance_of
from agent.planner.fixed import scale_ceil
from agent.planner.renewal import no_sale_reason
from agent.planner.sale import SaleClock

TOPIC = "auto-renew"
FUNDING = "funding"


def decide_auto_renew(ctx: PolicyContext) -> None:
    spec = ctx.spec.auto_renew
    if not spec.manage:
        ctx.decide(TOPIC, "skip", "auto-renewal is not managed (autoRenew.manage: false)")
        return
    if not ctx.index.snapshot.capabilities.has_auto_renew:
        ctx.decide(TOPIC, "skip", "this runtime has no enable_auto_renew; renew manually instead")
        return
    clock = ctx.index.clock
    if clock is None:
        ctx.decide(TOPIC, "wait", no_sale_reason(ctx))
        return
    records = ctx.index.auto_renewals.get(ctx.para, ())
    signer = spec.signer or ctx.spec.signer
    if not spec.desired:
        if not records:
            ctx.decide(TOPIC, "done", "auto-renewal is off, as desired")
        for rec in records:
            reason = f"disable auto-renewal of core {rec.core} for para {ctx.para}"
            ctx.act(
                ActionKind.DISABLE_AUTO_RENEW,
                call=CallSpec(
                    TargetChain.CORETIME,
                    "Broker",
                    "disable_auto_renew",
                    {"core": rec.core, "task": ctx.para},
                ),
                target={"core": rec.core},
                reason=reason,
                max_cost=0,
                expected_cost=0,
                signer=signer,
            )
            ctx.decide(TOPIC, "act", reason)
        return
    if records:
        _check_record(ctx, clock, records[0].core, records[0].next_renewal, len(records))
        _funding(ctx, clock, spec, None)
        return
    choice = _enable_choice(ctx, clock)
    if choice is None:
        _funding(ctx, clock, spec, None)
        return
    core, hint, cost = choice
    if hint is None:
        # Renews at once from the sibling account: fund it first, and only then enable.
        if _funding(ctx, clock, spec, cost):
            _plan_enable(ctx, core, None, cost, signer)
        else:
            ctx.decide(
                TOPIC, "wait", f"core {core}: the sibling account cannot pay the renewal yet"
            )
        return
    _plan_enable(ctx, core, hint, 0, signer)
    _funding(ctx, clock, spec, None)


def _check_record(
    ctx: PolicyContext, clock: SaleClock, core: int, next_renewal: int, count: int
) -> None:
    text = f"enabled for core {core}, next renewal at timeslice {next_renewal}"
    if count > 1:
        text += f" ({count} records for this para; duplicates are a known chain bug)"
    target = [
        r for r in ctx.index.renewals.get(ctx.para, ()) if r.core == core and r.when == next_renewal
    ]
    if not target and next_renewal > clock.region_begin:
        ctx.alert(
            AlertKind.AUTO_RENEW_FAILED,
            Severity.WARNING,
            f"the auto-renewal record points at core {core} / timeslice {next_renewal}, but the "
            f"para has no renewal record there; it will fail at the rotation",
        )
        text += "; no renewal record matches it"
    cap = ctx.spec.renewal.max_price
    if target and cap is not None and target[0].price > cap.planck:
        # The chain pays this from the sibling account at the rotation: no action of the agent,
        # so no budget sees it. Say so before it happens.
        ctx.alert(
            AlertKind.RENEWAL_OVER_CAP,
            Severity.WARNING,
            f"the chain's auto-renewal of core {core} will charge {ctx.money(target[0].price)} "
            f"from the sibling account at the next rotation, above renewal.maxPrice "
            f"{ctx.money(cap.planck)}; set autoRenew.desired: false or raise the cap",
        )
        text += f"; its next charge {ctx.money(target[0].price)} is above renewal.maxPrice"
    ctx.decide(TOPIC, "done", text)


def _enable_choice(ctx: PolicyContext, clock: SaleClock) -> tuple[int, int | None, int] | None:
    """(core, workload_end_hint, price charged at once) for `enable_auto_renew`, or None.

    A hint of None means the core is renewable in this sale: enabling renews at once.
    """
    ctx.alert(
        AlertKind.AUTO_RENEW_MISSING,
        Severity.WARNING,
        f"para {ctx.para} has no on-chain auto-renewal record",
    )
    core = _next_core(ctx)
    if core is None:
        ctx.decide(TOPIC, "wait", f"para {ctx.para} has no core to auto-renew")
        return None
    records = [r for r in ctx.index.renewals.get(ctx.para, ()) if r.core == core]
    now_right = next((r for r in records if r.when == clock.region_begin), None)
    if now_right is not None:
        if ctx.spec.renewal.enabled:
            ctx.decide(
                TOPIC,
                "wait",
                f"core {core} is renewable in this sale; enabling once the renewal has landed "
                "(enabling now would renew at once from the sibling account)",
            )
            return None
        if not now_right.complete:
            ctx.decide(TOPIC, "wait", f"the renewal record for core {core} is partial")
            return None
        return core, None, now_right.price
    hint = _hint(ctx, records)
    if hint is None:
        ctx.decide(
            TOPIC,
            "wait",
            f"no renewal record or lease for core {core} yet; enable_auto_renew would fail "
            "with NotAllowed",
        )
        return None
    return core, hint, 0


def _plan_enable(ctx: PolicyContext, core: int, hint: int | None, cost: int, signer: str) -> None:
    if hint is None:
        reason = (
            f"enable auto-renewal of core {core} for para {ctx.para}; it renews at once for "
            f"{ctx.money(cost)} from the sibling account"
        )
    else:
        reason = (
            f"enable auto-renewal of core {core} for para {ctx.para} "
            f"(current workload ends at timeslice {hint})"
        )
    ctx.act(
        ActionKind.ENABLE_AUTO_RENEW,
        call=CallSpec(
            TargetChain.CORETIME,
            "Broker",
            "enable_auto_renew",
            {"core": core, "task": ctx.para, "workload_end_hint": hint},
        ),
        target={"core": core},
        reason=reason,
        max_cost=cost,
        expected_cost=cost,
        signer=signer,
    )
    ctx.decide(TOPIC, "act", reason)


def _next_core(ctx: PolicyContext) -> int | None:
    planned = ctx.index.workplan.get(ctx.para, ())
    if planned:
        return max(planned)[1]
    running = ctx.index.workload.get(ctx.para, ())
    if running:
        return running[0]
    records = ctx.index.renewals.get(ctx.para, ())
    return records[-1].core if records else None


def _hint(ctx: PolicyContext, records: list[PotentialRenewal]) -> int | None:
    if records:
        return max(r.when for r in records)
    lease = ctx.index.leases.get(ctx.para)
    return lease.until if lease is not None else None


def _next_charge(ctx: PolicyContext, clock: SaleClock, immediate: int | None) -> int | None:
    """What the sibling account pays next: now, at the next rotation, or a projection."""
    if immediate is not None:
        return immediate
    records = ctx.index.renewals.get(ctx.para, ())
    upcoming = [r for r in records if r.when > clock.region_begin]
    if upcoming:
        return upcoming[0].price
    current = [r for r in records if r.when == clock.region_begin]
    if current:
        return ctx.index.next_renewal(current[0].price)
    return None


@lru_cache(maxsize=4096)
def _sibling(para: int) -> str:
    return sibling_account(para)


def _funding(
    ctx: PolicyContext, clock: SaleClock, spec: AutoRenewSpec, immediate: int | None
) -> bool:
    """Check (and top up) the sibling account; True when it can pay the next charge."""
    funding = spec.funding
    if not funding.check:
        ctx.decide(FUNDING, "skip", "funding check is off")
        return True
    price = _next_charge(ctx, clock, immediate)
    if price is None:
        ctx.decide(FUNDING, "skip", "no renewal price known yet for the para")
        return True
    snap = ctx.index.snapshot
    sibling = _sibling(ctx.para)
    held = balance_of(snap.balances, sibling)
    needed = price + scale_ceil(price, funding.margin) + snap.existential_deposit
    if held >= needed:
        ctx.decide(
            FUNDING,
            "done",
            f"sibling account holds {ctx.money(held)}, enough for the next renewal "
            f"({ctx.money(needed)} with margin and existential deposit)",
        )
        return True
    short = needed - held
    ctx.alert(
        AlertKind.SOVEREIGN_SHORT,
        Severity.CRITICAL if immediate is not None else Severity.WARNING,
        f"sibling account {sibling} of para {ctx.para} holds {ctx.money(held)}; the next "
        f"auto-renewal needs {ctx.money(needed)} (short {ctx.money(short)})",
    )
    if not funding.top_up:
        ctx.decide(FUNDING, "refuse", f"short by {ctx.money(short)}; funding.topUp is off")
        return False
    amount = short if funding.max_top_up is None else min(short, funding.max_top_up.planck)
    if ctx.payer is None:
        ctx.decide(FUNDING, "refuse", f"no account is known for signer '{ctx.spec.signer}'")
        return False
    spare = ctx.available() - snap.existential_deposit
    if spare < amount:
        ctx.decide(
            FUNDING,
            "refuse",
            f"the payer cannot spare {ctx.money(amount)} (holds {ctx.money(max(spare, 0))} above "
            "the existential deposit)",
        )
        return False
    ctx.commit(amount)
    reason = f"top up the sibling account with {ctx.money(amount)} (short {ctx.money(short)})"
    ctx.act(
        ActionKind.TOP_UP,
        call=CallSpec(
            TargetChain.CORETIME,
            "Balances",
            "transfer_keep_alive",
            {"dest": sibling, "value": amount},
        ),
        target={"dest": sibling, "value": amount},
        reason=reason,
        max_cost=amount,
        expected_cost=amount,
    )
    ctx.decide(FUNDING, "act", reason)
    return amount >= short
