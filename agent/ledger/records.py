"""What the ledger hands back: stored intents and spend summaries, as frozen values.

Why: callers never see database rows or sessions. These records are separate from the in-memory
`agent.model` types (an `Action` is a plan, an `IntentRecord` is what was stored about one attempt
at it), so the stored shape can change by migration without touching the planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from agent.model.outcome import OutcomeStatus

LIVE = "live"
DRY_RUN = "dry-run"
"""The two usual ledger modes; each mode sees only its own rows."""


class IntentStatus(StrEnum):
    """Life of one attempt: open → submitted → one of the outcome statuses."""

    OPEN = "open"  # written ahead, nothing signed yet
    SUBMITTED = "submitted"  # signed and sent, outcome not recorded yet
    INCLUDED = OutcomeStatus.INCLUDED.value
    FAILED = OutcomeStatus.FAILED.value
    INVALID = OutcomeStatus.INVALID.value
    DROPPED = OutcomeStatus.DROPPED.value
    DRY_RUN = OutcomeStatus.DRY_RUN.value
    EXPORTED = OutcomeStatus.EXPORTED.value
    UNKNOWN = OutcomeStatus.UNKNOWN.value  # sent, fate unknown: reconcile against the chain


RESERVING = frozenset({IntentStatus.OPEN, IntentStatus.SUBMITTED, IntentStatus.UNKNOWN})
"""Attempts whose cost is still reserved against the budget (they may yet spend it)."""

WITHOUT_EFFECT = frozenset({IntentStatus.FAILED, IntentStatus.INVALID, IntentStatus.DROPPED})
"""Attempts that ended without doing the action: the action may be retried (bounded)."""

USED = frozenset(IntentStatus) - WITHOUT_EFFECT
"""An action id with an attempt in one of these must never run again."""


@dataclass(frozen=True, slots=True)
class IntentRecord:
    """One stored attempt at an action. Money in planck; times are aware UTC datetimes."""

    action_id: str
    attempt: int
    mode: str
    policy: str
    para_id: int
    network: str
    kind: str
    window: str
    sale: int | None
    signer: str
    target: Mapping[str, Any]
    call: Mapping[str, Any]
    """``{"chain", "pallet", "function", "args"}`` as stored (JSON: bytes became 0x hex)."""
    reason: str
    reserved: int
    expected_cost: int | None
    """`Action.expected_cost` as planned."""
    status: IntentStatus
    extrinsic_hash: str | None
    block_hash: str | None
    block_number: int | None
    spent: int | None
    """Price plus fee once the attempt closed; None while it is open."""
    fee: int | None
    error: str | None
    message: str
    policy_digest: str
    created_at: datetime
    updated_at: datetime

    @property
    def reserving(self) -> bool:
        return self.status in RESERVING


@dataclass(frozen=True, slots=True)
class SpendSummary:
    """Spent planck of one policy per period, plus what open attempts still reserve."""

    policy: str
    network: str
    today: int
    """Since 00:00 UTC of `now`'s day (by intent creation time)."""
    sale: int | None
    """The latest sale this policy acted in, or None."""
    this_sale: int
    month: int
    """Since the first of `now`'s month, 00:00 UTC."""
    total: int
    reserved: int
    open_intents: int
