"""What happened to a submission, and the ledger's view of spend.

Why: the runtime records an outcome for every intent, and the guard reads spend and
reservations back as plain values, without knowing the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutcomeStatus(StrEnum):
    INCLUDED = "included"  # in a block, dispatched successfully
    FAILED = "failed"  # in a block, dispatch error (module error by name)
    INVALID = "invalid"  # rejected by the pool (bad nonce, no funds for fees, ...)
    DROPPED = "dropped"  # never included before its mortality ran out
    DRY_RUN = "dry-run"  # recorded, not sent
    EXPORTED = "exported"  # written for governance, not sent
    UNKNOWN = "unknown"  # sent, outcome not known yet (reconciled later)


@dataclass(frozen=True, slots=True)
class ChainEvent:
    pallet: str
    name: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModuleError:
    pallet: str
    name: str
    docs: str = ""

    def __str__(self) -> str:
        return f"{self.pallet}.{self.name}"


@dataclass(frozen=True, slots=True)
class SubmissionOutcome:
    status: OutcomeStatus
    extrinsic_hash: str | None = None
    block_hash: str | None = None
    block_number: int | None = None
    events: tuple[ChainEvent, ...] = ()
    error: ModuleError | None = None
    message: str = ""
    spent: int = 0
    """Planck that left the payer for the action itself (price, order, transfer), from events."""
    fee: int = 0
    """Transaction fee paid, from TransactionFeePaid, in planck."""

    @property
    def ok(self) -> bool:
        return self.status in (
            OutcomeStatus.INCLUDED,
            OutcomeStatus.DRY_RUN,
            OutcomeStatus.EXPORTED,
        )


@dataclass(frozen=True, slots=True)
class PreflightResult:
    ok: bool
    weight_ref_time: int = 0
    weight_proof_size: int = 0
    partial_fee: int = 0
    error: ModuleError | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class SpendEntry:
    """A recorded cost: spent (final) or reserved by an intent with no outcome yet."""

    policy: str
    action_id: str
    planck: int
    at: datetime
    sale: int | None
    reserved: bool


@dataclass(frozen=True, slots=True)
class LedgerView:
    """Spend and reservations the guard checks budgets against, and action ids already used."""

    entries: tuple[SpendEntry, ...] = ()
    used_action_ids: frozenset[str] = frozenset()
    """Ids that must not run again: open, submitted, unknown, included, exported or dry-run."""
    attempts: Mapping[str, int] = field(default_factory=dict)
    """Action id -> attempts that ended without effect (failed, invalid, dropped); retry is bounded."""
    last_price_paid: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(policy, kind) -> last price paid, for maxIncrease."""
    recent_orders: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)
    """policy -> times of on-demand orders in the last hour (rate limit)."""
