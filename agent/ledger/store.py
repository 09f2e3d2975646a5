"""The `Ledger`: write-ahead intents, their outcomes, and spend read back for the guard.

Why: the budget can only hold across crashes and replicas if the last check and the write that
reserves the money are one transaction under one lock. `record_intent` does both: it locks the
policy's writers, builds the `LedgerView` inside the transaction, asks the caller's `admit`,
and inserts the intent (status open) only if admitted; the commit is durable before it returns,
so nothing is signed before the ledger knows. Every other write to a policy's rows takes the
same lock, so a view built under it cannot change underneath.

Values in, frozen records out; `now` is always an argument (the ledger never reads the clock).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update

from agent.errors import LedgerError
from agent.ledger.columns import check_planck, dump_json, load_json, require_utc
from agent.ledger.engine import Database
from agent.ledger.errors import BudgetRefused, DuplicateAction, InvalidTransition, UnknownAction
from agent.ledger.migrations import migrate
from agent.ledger.records import LIVE, RESERVING, USED, IntentRecord, IntentStatus, SpendSummary
from agent.ledger.schema import MESSAGE_MAX, NO_SALE, intents, prices_paid, spend_totals
from agent.ledger.views import DEFAULT_HORIZON, action_attempts, build_view, summarize
from agent.model.actions import Action, ActionKind
from agent.model.outcome import LedgerView, OutcomeStatus, SubmissionOutcome

Admit = Callable[[LedgerView], str | None]
"""The final budget check: None admits the action, a string refuses it with that reason."""

_MODE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_PRICED = frozenset({ActionKind.RENEW.value, ActionKind.PURCHASE.value})


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise LedgerError(f"{what} must be a non-empty string, got {value!r}")
    if len(value) > limit:
        raise LedgerError(f"{what} is longer than {limit} characters: {value[:40]!r}...")
    return value


class Ledger:
    """Intents and outcomes in SQLite (a file path URL) or PostgreSQL, for one `mode`.

    Opening migrates the schema (idempotent, safe with concurrent starters). With
    ``create=False`` a missing SQLite file raises `LedgerMissing` instead of being created.
    """

    def __init__(
        self, url: str, *, mode: str = LIVE, create: bool = True, busy_timeout: float = 30.0
    ) -> None:
        if not _MODE.match(mode):
            raise LedgerError(f"ledger mode '{mode}' is not a short lower-case name like 'live'")
        self.mode = mode
        self._db = Database(url, create=create, busy_timeout=busy_timeout)
        try:
            self.schema_version = migrate(self._db)
        except BaseException:
            self._db.dispose()
            raise

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return self._db.shown

    def close(self) -> None:
        self._db.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------------------

    def record_intent(
        self,
        action: Action,
        *,
        now: datetime,
        digest: str,
        admit: Admit,
        horizon: timedelta = DEFAULT_HORIZON,
    ) -> IntentRecord:
        """Write-ahead plus the final budget check, atomically; durable when it returns.

        Raises `DuplicateAction` if the id has an attempt that is open or ended with effect,
        `BudgetRefused` if `admit` returns a reason; in both cases nothing is written.
        """
        now = require_utc(now)
        values = self._intent_values(action, now=now, digest=digest)
        with self._db.write(self._lock(action.policy)) as conn:
            previous = action_attempts(conn, mode=self.mode, action_id=action.id)
            for past in previous:
                if past.status in USED:
                    raise DuplicateAction(action.id, past.status.value)
            view = build_view(
                conn, mode=self.mode, now=now, policies=[action.policy], horizon=horizon
            )
            if previous:  # exact retry count for this action, whatever the horizon
                attempts = {**view.attempts, action.id: len(previous)}
                view = dataclasses.replace(view, attempts=attempts)
            refusal = admit(view)
            if refusal is not None:
                raise BudgetRefused(action.id, refusal)
            attempt = max((p.attempt for p in previous), default=0) + 1
            conn.execute(insert(intents).values(**values, attempt=attempt))
            record = self._latest(conn, action.id)
        assert record is not None  # inserted above, in the same transaction
        return record

    def mark_submitted(self, action_id: str, *, extrinsic_hash: str, now: datetime) -> IntentRecord:
        """open → submitted, with the extrinsic hash. Repeating it with the same hash is a no-op."""
        now = require_utc(now)
        _text(extrinsic_hash, "extrinsic_hash", 80)
        with self._db.write() as conn:
            current = self._locked_latest(conn, action_id)
            if (
                current.status is IntentStatus.SUBMITTED
                and current.extrinsic_hash == extrinsic_hash
            ):
                return current
            if current.status is not IntentStatus.OPEN:
                raise InvalidTransition(
                    action_id, current.attempt, current.status.value, IntentStatus.SUBMITTED.value
                )
            self._update(
                conn,
                current,
                status=IntentStatus.SUBMITTED.value,
                extrinsic_hash=extrinsic_hash,
                updated_at=now,
            )
            return self._must(conn, action_id)

    def record_outcome(
        self, action_id: str, outcome: SubmissionOutcome, *, now: datetime
    ) -> IntentRecord:
        """Close the latest attempt with its outcome (or mark it unknown, still reserving).

        spent = outcome.spent + outcome.fee. An unknown action id raises `UnknownAction`; an
        attempt that is already closed raises `InvalidTransition`.
        """
        now = require_utc(now)
        status = IntentStatus(OutcomeStatus(outcome.status).value)
        with self._db.write() as conn:
            current = self._locked_latest(conn, action_id)
            if current.status not in RESERVING:
                raise InvalidTransition(
                    action_id, current.attempt, current.status.value, status.value
                )
            changes: dict[str, Any] = {
                "status": status.value,
                "extrinsic_hash": outcome.extrinsic_hash or current.extrinsic_hash,
                "block_hash": outcome.block_hash,
                "block_number": outcome.block_number,
                "error": str(outcome.error)[:128] if outcome.error else None,
                "message": outcome.message[:MESSAGE_MAX],
                "updated_at": now,
            }
            if status is not IntentStatus.UNKNOWN:
                price = check_planck(outcome.spent, "outcome.spent")
                fee = check_planck(outcome.fee, "outcome.fee")
                spent = check_planck(price + fee, "outcome.spent + outcome.fee")
                changes.update(spent_planck=spent, fee_planck=fee)
                self._add_spend(conn, current, spent, now)
                if status is IntentStatus.INCLUDED and current.kind in _PRICED:
                    self._set_price(conn, current, price)
            self._update(conn, current, **changes)
            return self._must(conn, action_id)

    # -- reads -----------------------------------------------------------------------------

    def view(
        self,
        *,
        now: datetime,
        policies: Sequence[str] | None = None,
        horizon: timedelta = DEFAULT_HORIZON,
    ) -> LedgerView:
        """Spend, reservations and used ids, bounded by `horizon` (see `agent.ledger.views`)."""
        now = require_utc(now)
        with self._db.read() as conn:
            return build_view(conn, mode=self.mode, now=now, policies=policies, horizon=horizon)

    def intent(self, action_id: str) -> IntentRecord | None:
        """The latest attempt at `action_id`, or None."""
        with self._db.read() as conn:
            return self._latest(conn, action_id)

    def open_intents(self) -> list[IntentRecord]:
        """Attempts still open, submitted or unknown, oldest first: reconcile these at start-up."""
        query = (
            select(intents)
            .where(intents.c.mode == self.mode)
            .where(intents.c.status.in_([s.value for s in RESERVING]))
            .order_by(intents.c.created_at, intents.c.id)
        )
        with self._db.read() as conn:
            return [_record(row) for row in conn.execute(query)]

    def history(self, policy: str | None = None, limit: int = 50) -> list[IntentRecord]:
        """The latest `limit` attempts, newest first, of one policy or all."""
        if limit < 1:
            raise LedgerError(f"history limit must be at least 1, got {limit}")
        query = select(intents).where(intents.c.mode == self.mode)
        if policy is not None:
            query = query.where(intents.c.policy == policy)
        query = query.order_by(intents.c.created_at.desc(), intents.c.id.desc()).limit(limit)
        with self._db.read() as conn:
            return [_record(row) for row in conn.execute(query)]

    def spend_summary(self, now: datetime, *, policy: str | None = None) -> list[SpendSummary]:
        """Per policy: spent today, in its latest sale, this month and in total; reserved."""
        now = require_utc(now)
        with self._db.read() as conn:
            policies = None if policy is None else [policy]
            return summarize(conn, mode=self.mode, now=now, policies=policies)

    # -- helpers ---------------------------------------------------------------------------

    def _lock(self, policy: str) -> str:
        return f"policy/{self.mode}/{policy}"

    def _intent_values(self, action: Action, *, now: datetime, digest: str) -> dict[str, Any]:
        call = action.call
        return {
            "mode": self.mode,
            "action_id": _text(action.id, "action id", 64),
            "policy": _text(action.policy, "policy", 63),
            "para_id": int(action.para_id),
            "network": _text(action.network, "network", 64),
            "kind": ActionKind(action.kind).value,
            "window": _text(action.window, "window", 128),
            "sale": action.sale,
            "signer": _text(action.signer, "signer", 63),
            "target_json": dump_json(dict(action.target)),
            "call_json": dump_json(
                {
                    "chain": call.chain.value,
                    "pallet": call.pallet,
                    "function": call.function,
                    "args": dict(call.args),
                }
            ),
            "reason": action.reason,
            "reserved_planck": check_planck(action.max_cost, "max_cost"),
            "expected_planck": None
            if action.expected_cost is None
            else check_planck(action.expected_cost, "expected_cost"),
            "status": IntentStatus.OPEN.value,
            "message": "",
            "policy_digest": _text(digest, "policy digest", 80),
            "created_at": now,
            "updated_at": now,
        }

    def _latest(self, conn: Connection, action_id: str) -> IntentRecord | None:
        query = (
            select(intents)
            .where(and_(intents.c.mode == self.mode, intents.c.action_id == action_id))
            .order_by(intents.c.attempt.desc())
            .limit(1)
        )
        row = conn.execute(query).first()
        return None if row is None else _record(row)

    def _must(self, conn: Connection, action_id: str) -> IntentRecord:
        record = self._latest(conn, action_id)
        if record is None:
            raise UnknownAction(action_id)
        return record

    def _locked_latest(self, conn: Connection, action_id: str) -> IntentRecord:
        """Find the action's policy, take its writer lock, then read the latest attempt afresh."""
        self._db.lock(conn, self._lock(self._must(conn, action_id).policy))
        return self._must(conn, action_id)

    def _update(self, conn: Connection, current: IntentRecord, **changes: Any) -> None:
        conn.execute(
            update(intents)
            .where(intents.c.mode == self.mode)
            .where(intents.c.action_id == current.action_id)
            .where(intents.c.attempt == current.attempt)
            .values(**changes)
        )

    def _add_spend(
        self, conn: Connection, current: IntentRecord, spent: int, now: datetime
    ) -> None:
        key = NO_SALE if current.sale is None else current.sale
        where = and_(
            spend_totals.c.mode == self.mode,
            spend_totals.c.policy == current.policy,
            spend_totals.c.sale_key == key,
        )
        before = conn.execute(select(spend_totals.c.spent_planck).where(where)).scalar()
        if before is None:
            row = {"mode": self.mode, "policy": current.policy, "sale_key": key}
            conn.execute(insert(spend_totals).values(**row, spent_planck=spent, updated_at=now))
        elif spent:
            total = check_planck(before + spent, f"total spend of policy '{current.policy}'")
            conn.execute(
                update(spend_totals).where(where).values(spent_planck=total, updated_at=now)
            )

    def _set_price(self, conn: Connection, current: IntentRecord, price: int) -> None:
        where = and_(
            prices_paid.c.mode == self.mode,
            prices_paid.c.policy == current.policy,
            prices_paid.c.kind == current.kind,
        )
        paid_at = conn.execute(select(prices_paid.c.paid_at).where(where)).scalar()
        values = {
            "price_planck": price,
            "action_id": current.action_id,
            "paid_at": current.created_at,
        }
        if paid_at is None:
            key = {"mode": self.mode, "policy": current.policy, "kind": current.kind}
            conn.execute(insert(prices_paid).values(**key, **values))
        elif current.created_at >= paid_at:
            conn.execute(update(prices_paid).where(where).values(**values))


def _record(row: Row[Any]) -> IntentRecord:
    return IntentRecord(
        action_id=row.action_id,
        attempt=row.attempt,
        mode=row.mode,
        policy=row.policy,
        para_id=row.para_id,
        network=row.network,
        kind=row.kind,
        window=row.window,
        sale=row.sale,
        signer=row.signer,
        target=load_json(row.target_json),
        call=load_json(row.call_json),
        reason=row.reason,
        reserved=row.reserved_planck,
        expected_cost=row.expected_planck,
        status=IntentStatus(row.status),
        extrinsic_hash=row.extrinsic_hash,
        block_hash=row.block_hash,
        block_number=row.block_number,
        spent=row.spent_planck,
        fee=row.fee_planck,
        error=row.error,
        message=row.message,
        policy_digest=row.policy_digest,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
