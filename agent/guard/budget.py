"""Budget arithmetic: what a policy has spent and reserved in a period, and whether one more fits.

Why: invariant 2 — spent + reserved (open intents) + the new action must fit every limit of
every period it touches, or the action is refused with a reason that names the limit. The same
`BudgetBook` answers both `check` (for a whole plan) and `admit` (for one action, inside the
ledger's transaction), so the two can never disagree.

Periods (`BudgetPeriod`):

- ``sale``: entries recorded with the same ``sale`` (region_begin) as the action;
- rolling (``30d``, ``12h``): entries with ``at > now − length``;
- ``month``: entries in the same UTC calendar month as ``now``;
- ``total``: every entry of the policy.

Actions approved earlier in the same plan count as reserved in every period they fall in (they
happen "now"). Times without a zone are taken as UTC. An action that costs nothing (assign,
auto-renew without an immediate renewal) always fits: refusing it cannot save money.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from agent.model.actions import Action
from agent.model.money import PERBILL, Token, format_amount
from agent.model.outcome import SpendEntry
from agent.model.policy import BudgetLimit, BudgetPeriod, PeriodKind


class Usage(NamedTuple):
    """Planck counted against one limit, by where it comes from."""

    spent: int = 0
    reserved: int = 0
    planned: int = 0

    @property
    def total(self) -> int:
        return self.spent + self.reserved + self.planned


_NOTHING = Usage()


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is UTC:
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def in_period(
    period: BudgetPeriod, at: datetime, sale: int | None, action_sale: int | None, now: datetime
) -> bool:
    """Whether a cost at ``at`` (in sale ``sale``) counts in ``period`` for an action now."""
    if period.kind is PeriodKind.TOTAL:
        return True
    if period.kind is PeriodKind.SALE:
        return sale == action_sale
    moment, ref = utc(at), utc(now)
    if period.kind is PeriodKind.ROLLING:
        return moment > ref - timedelta(seconds=period.seconds)
    return (moment.year, moment.month) == (ref.year, ref.month)


def usage(
    period: BudgetPeriod,
    entries: Iterable[SpendEntry],
    planned: Iterable[Action],
    action_sale: int | None,
    now: datetime,
) -> Usage:
    """Spent, reserved and planned planck that count in ``period`` for an action in ``action_sale``.

    The same rule as `in_period`, unrolled per period kind: it runs for every policy of a plan.
    """
    kind = period.kind
    spent = reserved = 0
    cutoff: datetime | None = None
    month: tuple[int, int] | None = None
    if kind is PeriodKind.ROLLING:
        cutoff = _cutoff(utc(now), period.seconds)
    elif kind is PeriodKind.MONTH:
        ref = utc(now)
        month = (ref.year, ref.month)
    for entry in entries:
        if kind is PeriodKind.SALE:
            if entry.sale != action_sale:
                continue
        elif cutoff is not None:
            at = entry.at
            # aware datetimes compare by instant whatever their zone; naive ones are UTC
            if (at if at.tzinfo is not None else at.replace(tzinfo=UTC)) <= cutoff:
                continue
        elif month is not None and _month(entry.at) != month:
            continue
        if entry.reserved:
            reserved += entry.planck
        else:
            spent += entry.planck
    plan_total = 0
    for action in planned:
        if kind is not PeriodKind.SALE or action.sale == action_sale:
            plan_total += action.max_cost
    return Usage(spent, reserved, plan_total)


@lru_cache(maxsize=64)
def _cutoff(ref: datetime, seconds: int) -> datetime:
    return ref - timedelta(seconds=seconds)


def _month(moment: datetime) -> tuple[int, int]:
    m = utc(moment)
    return m.year, m.month


def label(period: BudgetPeriod) -> str:
    if period.kind is PeriodKind.TOTAL:
        return "in total"
    return f"per {period}"


class BudgetBook:
    """One policy's limits against the ledger, plus the actions approved so far in a plan.

    The ledger part of each limit is computed once per sale (with `usage`) and the plan's
    approvals are added as running sums, so checking a plan stays linear. `admit` uses a fresh
    book for its single action: the same arithmetic, the same reasons.
    """

    __slots__ = (
        "_base",
        "_by_sale",
        "_caps",
        "_entries",
        "_limits",
        "_now",
        "_planned_all",
        "_planned_sale",
    )

    def __init__(
        self, limits: Sequence[BudgetLimit], entries: Sequence[SpendEntry], now: datetime
    ) -> None:
        self._limits = limits
        self._caps = [limit.amount.planck for limit in limits]
        self._by_sale = [limit.period.kind is PeriodKind.SALE for limit in limits]
        self._entries = entries
        self._now = now
        self._base: dict[tuple[int, int | None], Usage] = {}
        self._planned_all = 0
        self._planned_sale: dict[int | None, int] = {}

    def _ledger(self, index: int, sale: int | None) -> Usage:
        key = (index, sale)
        base = self._base.get(key)
        if base is None:
            base = (
                usage(self._limits[index].period, self._entries, (), sale, self._now)
                if self._entries
                else _NOTHING
            )
            self._base[key] = base
        return base

    def used(self, index: int, sale: int | None) -> Usage:
        """Usage of limit ``index`` for an action in ``sale``, this plan's approvals included."""
        if self._by_sale[index]:
            base, planned = self._ledger(index, sale), self._planned_sale.get(sale, 0)
        else:
            base, planned = self._ledger(index, None), self._planned_all
        return Usage(base.spent, base.reserved, planned)

    def refusal(self, action: Action) -> str | None:
        """None when ``action`` fits every limit, else why not (naming the first limit broken)."""
        cost = action.max_cost
        if cost <= 0:
            return None
        sale = action.sale
        for index, cap in enumerate(self._caps):
            if self._by_sale[index]:
                base, planned = self._ledger(index, sale), self._planned_sale.get(sale, 0)
            else:
                base, planned = self._ledger(index, None), self._planned_all
            if base.spent + base.reserved + planned + cost > cap:
                used = Usage(base.spent, base.reserved, planned)
                return explain(self._limits[index], used, cost)
        return None

    def add(self, action: Action) -> None:
        """Count an approved action as reserved for the rest of the plan."""
        self._planned_all += action.max_cost
        self._planned_sale[action.sale] = self._planned_sale.get(action.sale, 0) + action.max_cost

    def near_limits(self, alert_at: int, sale: int | None) -> list[str]:
        """Warnings for the limits whose usage has reached ``alert_at`` (parts per billion)."""
        found = []
        for index, limit in enumerate(self._limits):
            if self._by_sale[index]:
                base, planned = self._ledger(index, sale), self._planned_sale.get(sale, 0)
            else:
                base, planned = self._ledger(index, None), self._planned_all
            if (base.spent + base.reserved + planned) * PERBILL >= alert_at * self._caps[index]:
                text = near_limit(limit, Usage(base.spent, base.reserved, planned), alert_at)
                if text is not None:
                    found.append(text)
        return found


def refusal(
    action: Action,
    limits: Sequence[BudgetLimit],
    entries: Sequence[SpendEntry],
    planned: Sequence[Action],
    now: datetime,
) -> str | None:
    """None when ``action`` fits every limit given the ledger and earlier approvals."""
    book = BudgetBook(limits, entries, now)
    for earlier in planned:
        book.add(earlier)
    return book.refusal(action)


def explain(limit: BudgetLimit, used: Usage, cost: int) -> str:
    token = limit.amount.token

    def fmt(planck: int) -> str:
        return format_amount(planck, token)

    planned = f" + planned {fmt(used.planned)}" if used.planned else ""
    cap = fmt(limit.amount.planck)
    return (
        f"budget {cap} {label(limit.period)}: spent {fmt(used.spent)} + reserved "
        f"{fmt(used.reserved)}{planned} + this {fmt(cost)} > {cap}"
    )


def near_limit(limit: BudgetLimit, used: Usage, alert_at: int) -> str | None:
    """A warning when usage has reached ``alert_at`` (parts per billion) of the limit."""
    cap = limit.amount.planck
    if cap <= 0 or used.total * PERBILL < alert_at * cap:
        return None
    token: Token = limit.amount.token
    share = used.total * 100 // cap
    return (
        f"{share}% of the budget {format_amount(cap, token)} {label(limit.period)} is used "
        f"(spent {format_amount(used.spent, token)}, reserved "
        f"{format_amount(used.reserved + used.planned, token)})"
    )
