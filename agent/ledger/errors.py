"""The ledger's own failures, all under `agent.errors.LedgerError`.

Why: the runtime reacts differently to each one. A refused budget or a duplicate action is a
normal, expected answer of `Ledger.record_intent` (log the reason, skip the action); an unknown
action or an impossible status change is a bug or a second writer; an unreachable database is
an outage.

    LedgerError
    ├── BudgetRefused       admit() said no; nothing was written; `.reason` says why
    ├── DuplicateAction     the action id already ran (or is running); nothing was written
    ├── UnknownAction       an outcome or submission for an action id the ledger never saw
    ├── InvalidTransition   e.g. closing an attempt that is already closed
    └── LedgerMissing       a read-only open of a SQLite ledger file that does not exist
"""

from __future__ import annotations

from agent.errors import LedgerError


class BudgetRefused(LedgerError):
    """The final budget check inside the write-ahead transaction refused the action."""

    def __init__(self, action_id: str, reason: str) -> None:
        super().__init__(f"action {action_id} refused by the budget: {reason}")
        self.action_id = action_id
        self.reason = reason


class DuplicateAction(LedgerError):
    """The action id has an attempt that is open, in flight, or ended with effect."""

    def __init__(self, action_id: str, status: str) -> None:
        super().__init__(
            f"action {action_id} is already recorded with status '{status}'",
            hint="the same action never runs twice; a failed attempt may be retried",
        )
        self.action_id = action_id
        self.status = status


class UnknownAction(LedgerError):
    def __init__(self, action_id: str) -> None:
        super().__init__(f"the ledger has no intent for action {action_id}")
        self.action_id = action_id


class InvalidTransition(LedgerError):
    def __init__(self, action_id: str, attempt: int, current: str, wanted: str) -> None:
        super().__init__(
            f"action {action_id} attempt {attempt} is '{current}'; it cannot become '{wanted}'"
        )
        self.action_id = action_id
        self.current = current
        self.wanted = wanted


class LedgerMissing(LedgerError):
    def __init__(self, where: str) -> None:
        super().__init__(f"no ledger at {where} yet: nothing has been recorded")
        self.where = where
