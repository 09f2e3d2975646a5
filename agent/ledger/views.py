"""Reading spend back: the `LedgerView` the guard checks budgets against, and spend summaries.

Why bounded: a ledger grows for years (on-demand orders alone can add one row a minute), but
budgets only look back over their longest window. A view therefore reads, per policy:
- every attempt created at or after the *cutoff* (``now - horizon``, or the first of the
  month if that is earlier), individually;
- every attempt still reserving money (open, submitted, unknown), however old;
- `spend_totals`, one running sum per (policy, sale). What those sums hold beyond the attempts
  read individually is older spend; it becomes one entry per (policy, sale) dated just before
  the cutoff, with id ``earlier-than:<cutoff>``.
So a ``total`` budget and every sale's budget are exact, a calendar month and any rolling window
up to `horizon` are exact, and a rolling window longer than `horizon` counts the older spend as
if it were recent: too much, never too little. Pass a horizon at least as long as the longest
rolling window of the policies (the default covers 30 days and a 28-day sale).

Spend is counted at the attempt's creation time (when it was decided), both while reserved
and after it closed, so an attempt never moves between periods when its outcome arrives.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Select, and_, select

from agent.errors import LedgerError
from agent.ledger.records import RESERVING, USED, WITHOUT_EFFECT, IntentStatus, SpendSummary
from agent.ledger.schema import NO_SALE, intents, prices_paid, spend_totals
from agent.model.actions import ActionKind
from agent.model.outcome import LedgerView, SpendEntry

DEFAULT_HORIZON = timedelta(days=35)
ORDER_RATE_WINDOW = timedelta(hours=1)
_EARLIER = "earlier-than:"


@dataclass(frozen=True, slots=True)
class Attempt:
    """The columns of an intent that budgets need."""

    id: int
    action_id: str
    attempt: int
    policy: str
    network: str
    kind: str
    sale: int | None
    status: IntentStatus
    reserved: int
    spent: int | None
    created_at: datetime


_COLUMNS = (
    intents.c.id,
    intents.c.action_id,
    intents.c.attempt,
    intents.c.policy,
    intents.c.network,
    intents.c.kind,
    intents.c.sale,
    intents.c.status,
    intents.c.reserved_planck,
    intents.c.spent_planck,
    intents.c.created_at,
)


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def cutoff_for(now: datetime, horizon: timedelta) -> datetime:
    if horizon < ORDER_RATE_WINDOW:
        raise LedgerError(f"the view horizon must be at least one hour, got {horizon}")
    return min(now - horizon, month_start(now))


def _attempts(conn: Connection, query: Select[tuple[object, ...]]) -> list[Attempt]:
    return [
        Attempt(
            id=r.id,
            action_id=r.action_id,
            attempt=r.attempt,
            policy=r.policy,
            network=r.network,
            kind=r.kind,
            sale=r.sale,
            status=IntentStatus(r.status),
            reserved=r.reserved_planck,
            spent=r.spent_planck,
            created_at=r.created_at,
        )
        for r in conn.execute(query)
    ]


def _scoped(
    query: Select[tuple[object, ...]], mode: str, policies: Sequence[str] | None
) -> Select[tuple[object, ...]]:
    query = query.where(intents.c.mode == mode)
    return query if policies is None else query.where(intents.c.policy.in_(list(policies)))


def read_attempts(
    conn: Connection, *, mode: str, since: datetime, policies: Sequence[str] | None
) -> list[Attempt]:
    """Attempts created at or after `since`, plus every attempt still reserving money."""
    recent = _scoped(select(*_COLUMNS), mode, policies).where(intents.c.created_at >= since)
    reserving = _scoped(select(*_COLUMNS), mode, policies).where(
        intents.c.status.in_([s.value for s in RESERVING]), intents.c.created_at < since
    )
    rows = _attempts(conn, recent) + _attempts(conn, reserving)
    return sorted(rows, key=lambda a: a.id)


def action_attempts(conn: Connection, *, mode: str, action_id: str) -> list[Attempt]:
    query = (
        select(*_COLUMNS)
        .where(and_(intents.c.mode == mode, intents.c.action_id == action_id))
        .order_by(intents.c.attempt)
    )
    return _attempts(conn, query)


def read_totals(
    conn: Connection, *, mode: str, policies: Sequence[str] | None
) -> dict[tuple[str, int], int]:
    query = select(spend_totals.c.policy, spend_totals.c.sale_key, spend_totals.c.spent_planck)
    query = query.where(spend_totals.c.mode == mode)
    if policies is not None:
        query = query.where(spend_totals.c.policy.in_(list(policies)))
    return {(r.policy, r.sale_key): r.spent_planck for r in conn.execute(query)}


def read_prices(
    conn: Connection, *, mode: str, policies: Sequence[str] | None
) -> dict[tuple[str, str], int]:
    query = select(prices_paid.c.policy, prices_paid.c.kind, prices_paid.c.price_planck)
    query = query.where(prices_paid.c.mode == mode)
    if policies is not None:
        query = query.where(prices_paid.c.policy.in_(list(policies)))
    return {(r.policy, r.kind): r.price_planck for r in conn.execute(query)}


def build_view(
    conn: Connection,
    *,
    mode: str,
    now: datetime,
    policies: Sequence[str] | None,
    horizon: timedelta = DEFAULT_HORIZON,
) -> LedgerView:
    cutoff = cutoff_for(now, horizon)
    return assemble(
        read_attempts(conn, mode=mode, since=cutoff, policies=policies),
        read_totals(conn, mode=mode, policies=policies),
        read_prices(conn, mode=mode, policies=policies),
        now=now,
        cutoff=cutoff,
    )


def assemble(
    attempts: Iterable[Attempt],
    totals: dict[tuple[str, int], int],
    prices: dict[tuple[str, str], int],
    *,
    now: datetime,
    cutoff: datetime,
) -> LedgerView:
    """The view from rows already read: pure arithmetic, see the module docstring."""
    entries: list[SpendEntry] = []
    recent_closed: Counter[tuple[str, int]] = Counter()
    used: set[str] = set()
    without_effect: Counter[str] = Counter()
    orders: defaultdict[str, list[datetime]] = defaultdict(list)
    for a in attempts:
        if a.status in USED:
            used.add(a.action_id)
        if a.status in WITHOUT_EFFECT:
            without_effect[a.action_id] += 1
        if a.status in RESERVING:
            entries.append(
                SpendEntry(a.policy, a.action_id, a.reserved, a.created_at, a.sale, True)
            )
        elif a.created_at >= cutoff:
            spent = a.spent or 0
            recent_closed[(a.policy, NO_SALE if a.sale is None else a.sale)] += spent
            if spent:
                entries.append(
                    SpendEntry(a.policy, a.action_id, spent, a.created_at, a.sale, False)
                )
        recent_order = now - ORDER_RATE_WINDOW < a.created_at <= now
        if a.kind == ActionKind.ORDER_ON_DEMAND.value and a.status in USED and recent_order:
            orders[a.policy].append(a.created_at)
    before = cutoff - timedelta(microseconds=1)
    for (policy, sale_key), total in sorted(totals.items()):
        older = total - recent_closed[(policy, sale_key)]
        if older < 0:
            raise LedgerError(
                f"ledger totals for policy '{policy}' are below its recorded spend; "
                "the ledger is inconsistent"
            )
        if older:
            sale = None if sale_key == NO_SALE else sale_key
            entries.append(
                SpendEntry(policy, _EARLIER + cutoff.isoformat(), older, before, sale, False)
            )
    entries.sort(key=lambda e: (e.at, e.policy, e.action_id))
    return LedgerView(
        entries=tuple(entries),
        used_action_ids=frozenset(used),
        attempts=dict(without_effect),
        last_price_paid=dict(prices),
        recent_orders={p: tuple(sorted(ts)) for p, ts in orders.items()},
    )


def summarize(
    conn: Connection, *, mode: str, now: datetime, policies: Sequence[str] | None
) -> list[SpendSummary]:
    """Spend per policy: today, the latest sale, this month and all time, plus reservations."""
    totals = read_totals(conn, mode=mode, policies=policies)
    since = month_start(now)
    today = day_start(now)
    attempts = read_attempts(conn, mode=mode, since=since, policies=policies)
    names = sorted({p for p, _ in totals} | {a.policy for a in attempts})
    result = []
    for name in names:
        mine = [a for a in attempts if a.policy == name]
        closed = [a for a in mine if a.status not in RESERVING and a.created_at >= since]
        reserving = [a for a in mine if a.status in RESERVING]
        sales = {s for p, s in totals if p == name and s != NO_SALE}
        sales |= {a.sale for a in mine if a.sale is not None}
        sale = max(sales) if sales else None
        result.append(
            SpendSummary(
                policy=name,
                network=_network(conn, mode, name, mine),
                today=sum(a.spent or 0 for a in closed if a.created_at >= today),
                sale=sale,
                this_sale=0 if sale is None else totals.get((name, sale), 0),
                month=sum(a.spent or 0 for a in closed),
                total=sum(v for (p, _), v in totals.items() if p == name),
                reserved=sum(a.reserved for a in reserving),
                open_intents=len(reserving),
            )
        )
    return result


def _network(conn: Connection, mode: str, policy: str, known: list[Attempt]) -> str:
    if known:
        return known[-1].network
    query = (
        select(intents.c.network)
        .where(and_(intents.c.mode == mode, intents.c.policy == policy))
        .order_by(intents.c.created_at.desc(), intents.c.id.desc())
        .limit(1)
    )
    return str(conn.execute(query).scalar() or "")
