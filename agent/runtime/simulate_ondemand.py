"""On-demand in `simulate`: one real order per sample, projected over the time until the next.

Why: a parathread may order a block every minute for a year; simulating each order would take
hours. So the real pipeline runs at each sample (the planner decides whether the para would
order at all: trigger, bulk core, spot price against the cap, budget; the guard admits it; the
sandbox charges the spot price), and that decision is assumed to hold until the next sample:
the para keeps ordering at its rate (``maxOrdersPerHour``, at most one order per order window)
at the sampled price. The budget still applies order by order: the interval is cut into
chunks no longer than the policy's shortest rolling window (between an hour and a day), and in
each chunk the guard's own `BudgetBook` says how many more orders fit, with the same rule as
for a real order (spent + this order's cap within every limit). What does not fit is reported
as refused, with the guard's reason. The projected spend is then written to the throwaway
ledger as one record, so later real ticks of the same policy see it against their budgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.guard.budget import BudgetBook
from agent.ledger import Ledger
from agent.model.actions import Action, ActionKind, CallSpec, TargetChain, action_id
from agent.model.outcome import OutcomeStatus, SpendEntry, SubmissionOutcome
from agent.model.policy import LoadedPolicy, PeriodKind
from agent.planner.index import ORDER_WINDOW

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Projection:
    orders: int
    """Orders paid in the interval besides the sampled one."""
    paid: int
    refused: int
    reason: str | None
    chunks: list[SpendEntry] = field(default_factory=list)


def orders_per_hour(loaded: LoadedPolicy, block_seconds: int) -> int:
    """The most the policy orders in an hour: its rate limit, one order per order window."""
    spec = loaded.policy.spec.on_demand
    every = ORDER_WINDOW
    if spec.trigger.pending_extrinsics is None and spec.trigger.max_idle_relay_blocks:
        every = max(ORDER_WINDOW, spec.trigger.max_idle_relay_blocks)
    return min(spec.max_orders_per_hour, 3600 // (every * block_seconds))


def chunk_length(loaded: LoadedPolicy) -> timedelta:
    rolling = [
        limit.period.seconds
        for limit in loaded.policy.spec.budget.limits
        if limit.period.kind is PeriodKind.ROLLING
    ]
    shortest = timedelta(seconds=min(rolling)) if rolling else DAY
    return max(HOUR, min(DAY, shortest))


def _probe(loaded: LoadedPolicy, sale: int | None, cost: int) -> Action:
    """A stand-in action of ``cost`` planck for the guard's arithmetic (never sent)."""
    call = CallSpec(TargetChain.RELAY, "OnDemand", "place_order_keep_alive", {})
    return Action(
        id="projection",
        kind=ActionKind.ORDER_ON_DEMAND,
        policy=loaded.name,
        para_id=loaded.para_id,
        network=loaded.network.name,
        window="projection",
        max_cost=cost,
        call=call,
        reason="",
        signer=loaded.policy.spec.signer,
        sale=sale,
    )


def _cost(loaded: LoadedPolicy, n: int, unit: int) -> int:
    """What the guard counts for the n-th order: the n − 1 before it, plus this one's cap."""
    cap = loaded.policy.spec.on_demand.max_spot_price
    return (n - 1) * unit + max(cap.planck if cap is not None else unit, unit)


def _refusal(
    book: BudgetBook, loaded: LoadedPolicy, sale: int | None, n: int, unit: int
) -> str | None:
    return None if n == 0 else book.refusal(_probe(loaded, sale, _cost(loaded, n, unit)))


def project(
    loaded: LoadedPolicy,
    entries: list[SpendEntry],
    *,
    start: datetime,
    length: timedelta,
    sale: int | None,
    unit: int,
    block_seconds: int,
) -> Projection:
    """Orders beyond the sampled one in ``[start, start + length)`` at ``unit`` planck each."""
    per_hour = orders_per_hour(loaded, block_seconds)
    step = chunk_length(loaded)
    limits = loaded.policy.spec.budget.limits
    known = list(entries)
    chunks: list[SpendEntry] = []
    paid_orders = refused = 0
    reason: str | None = None
    at, first = start, True
    while at < start + length:
        span = min(step, start + length - at)
        wanted = per_hour * int(span.total_seconds()) // 3600 - (1 if first else 0)
        first = False
        if wanted > 0:
            book = BudgetBook(limits, known, at)
            low, high = 0, wanted
            while low < high:  # the most orders that fit; `refusal` grows with the cost
                mid = (low + high + 1) // 2
                if _refusal(book, loaded, sale, mid, unit) is None:
                    low = mid
                else:
                    high = mid - 1
            if low < wanted:
                refused += wanted - low
                reason = _refusal(book, loaded, sale, low + 1, unit) or reason
            if low:
                entry = SpendEntry(
                    loaded.name, f"projected:{at.isoformat()}", low * unit, at, sale, False
                )
                known.append(entry)
                chunks.append(entry)
                paid_orders += low
        at += span
    return Projection(paid_orders, paid_orders * unit, refused, reason, chunks)


def record(
    ledger: Ledger,
    loaded: LoadedPolicy,
    projection: Projection,
    *,
    sale: int | None,
    unit: int,
    fee: int,
) -> None:
    """Write the projected orders to the ledger, one closed record per calendar month they fall
    in, at its first chunk (the guard already applied the limits chunk by chunk). ``unit`` is
    an order's cost, ``fee`` the part of it that was the transaction fee."""
    months: dict[tuple[int, int], list[SpendEntry]] = {}
    for chunk in projection.chunks:
        months.setdefault((chunk.at.year, chunk.at.month), []).append(chunk)
    for chunks in months.values():
        at, paid = chunks[0].at, sum(c.planck for c in chunks)
        orders = paid // unit if unit else 0
        key = {"projected": at.isoformat()}
        action = Action(
            id=action_id(
                network=loaded.network.name,
                policy=loaded.name,
                para_id=loaded.para_id,
                kind=ActionKind.ORDER_ON_DEMAND,
                target=key,
                window=f"projected:{at.isoformat()}",
            ),
            kind=ActionKind.ORDER_ON_DEMAND,
            policy=loaded.name,
            para_id=loaded.para_id,
            network=loaded.network.name,
            window="projected",
            max_cost=paid,
            call=CallSpec(
                TargetChain.RELAY, "OnDemand", "place_order_keep_alive", {"projected": orders}
            ),
            reason=f"simulate: {orders} projected on-demand orders",
            signer=loaded.policy.spec.signer,
            target=key,
            sale=sale,
        )
        ledger.record_intent(action, now=at, digest=loaded.digest, admit=lambda view: None)
        fees = min(fee * orders, paid)
        outcome = SubmissionOutcome(
            OutcomeStatus.INCLUDED, message="projected by simulate", spent=paid - fees, fee=fees
        )
        ledger.record_outcome(action.id, outcome, now=at)
