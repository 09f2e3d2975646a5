"""`check` a plan against idempotency and budgets; `admit` one action under the ledger's lock.

Why: the planner proposes, the guard disposes. An action id already used (done, in flight,
exported, dry-run) never runs again; an action whose attempts failed ``MAX_ATTEMPTS`` times
stops retrying; an action that would push any budget period past its limit is refused with
the arithmetic in the reason. Pure: the ledger's view and ``now`` are arguments.

`check` runs over a whole plan (earlier approvals of the same plan count as reserved).
`admit` is the same budget arithmetic for one action; the ledger calls it inside the
transaction that writes the intent, under its lock, with a fresh view that does not yet hold
the action, so even two agent processes cannot both spend the last of a budget. Idempotency
at that point is the ledger's own unique action id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from agent.guard.budget import BudgetBook
from agent.model.actions import Action, Alert, AlertKind, Plan, Severity
from agent.model.outcome import LedgerView, SpendEntry
from agent.model.policy import LoadedPolicy

MAX_ATTEMPTS = 3
"""Attempts without effect (failed, invalid, dropped) after which an action is given up."""


@dataclass(frozen=True, slots=True)
class GuardResult:
    approved: tuple[Action, ...] = ()
    refused: tuple[tuple[Action, str], ...] = ()
    """Each refused action with the reason, e.g. a budget sum or "already done or in flight"."""
    alerts: tuple[Alert, ...] = ()


def admit(action: Action, policy: LoadedPolicy, view: LedgerView, now: datetime) -> str | None:
    """None when ``action`` fits the policy's budget given ``view``; else the refusal reason."""
    entries = [e for e in view.entries if e.policy == action.policy]
    return BudgetBook(policy.policy.spec.budget.limits, entries, now).refusal(action)


def check(
    plan: Plan, policies: Sequence[LoadedPolicy], ledger: LedgerView, now: datetime
) -> GuardResult:
    """Split the plan's actions into approved and refused, in plan order."""
    by_name = {p.name: p for p in policies}
    entries: defaultdict[str, list[SpendEntry]] = defaultdict(list)
    for entry in ledger.entries:
        entries[entry.policy].append(entry)
    books: dict[str, BudgetBook] = {}
    last_paid: dict[str, Action] = {}
    approved: list[Action] = []
    refused: list[tuple[Action, str]] = []
    alerts: list[Alert] = []
    seen: set[str] = set()
    for action in plan.actions:
        name = action.policy
        reason = _not_again(action, ledger, seen)
        seen.add(action.id)
        policy = by_name.get(name)
        if reason is None and policy is None:
            reason = f"policy '{name}' is not loaded"
        if reason is not None:
            refused.append((action, reason))
            continue
        assert policy is not None
        if action.max_cost <= 0:  # costs nothing: no budget to check (see budget.py)
            approved.append(action)
            continue
        book = books.get(name)
        if book is None:
            limits = policy.policy.spec.budget.limits
            book = books[name] = BudgetBook(limits, entries.get(name, ()), now)
        reason = book.refusal(action)
        if reason is None:
            approved.append(action)
            book.add(action)
            last_paid[name] = action
            continue
        refused.append((action, reason))
        alerts.append(
            Alert(
                AlertKind.BUDGET_REFUSED,
                name,
                action.para_id,
                Severity.WARNING,
                f"{action.kind.value} refused: {reason}",
            )
        )
    for name, ref in last_paid.items():
        budget = by_name[name].policy.spec.budget
        for text in books[name].near_limits(budget.alert_at, ref.sale):
            alerts.append(
                Alert(AlertKind.BUDGET_NEAR_LIMIT, name, ref.para_id, Severity.WARNING, text)
            )
    return GuardResult(tuple(approved), tuple(refused), tuple(alerts))


def _not_again(action: Action, ledger: LedgerView, seen: set[str]) -> str | None:
    if action.id in ledger.used_action_ids:
        return "already done or in flight"
    if action.id in seen:
        return "the same action appears twice in this plan"
    tries = ledger.attempts.get(action.id, 0)
    if tries >= MAX_ATTEMPTS:
        return f"given up after {tries} attempts without effect"
    return None
