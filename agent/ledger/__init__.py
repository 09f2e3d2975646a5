"""The ledger room: every planck reserved and spent, written ahead, in SQLite or PostgreSQL.

Use `Ledger(url, mode=...)`; see `agent.ledger.schema` for the tables and columns,
`agent.ledger.store` for the guarantees, and `agent.ledger.views` for how spend is read back.
This room imports only `agent.model`, `agent.errors` and SQLAlchemy.
"""

from __future__ import annotations

from agent.ledger.errors import (
    BudgetRefused,
    DuplicateAction,
    InvalidTransition,
    LedgerMissing,
    UnknownAction,
)
from agent.ledger.migrations import LATEST as SCHEMA_VERSION
from agent.ledger.records import DRY_RUN, LIVE, IntentRecord, IntentStatus, SpendSummary
from agent.ledger.store import Admit, Ledger
from agent.ledger.views import DEFAULT_HORIZON

__all__ = [
    "DEFAULT_HORIZON",
    "DRY_RUN",
    "LIVE",
    "SCHEMA_VERSION",
    "Admit",
    "BudgetRefused",
    "DuplicateAction",
    "IntentRecord",
    "IntentStatus",
    "InvalidTransition",
    "Ledger",
    "LedgerMissing",
    "SpendSummary",
    "UnknownAction",
]
