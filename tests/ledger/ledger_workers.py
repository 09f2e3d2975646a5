"""Functions run in spawned processes (each opens its own engine): importable by name."""

from __future__ import annotations

import os
import time
from collections import deque
from datetime import timedelta

from agent.ledger import BudgetRefused, Ledger
from agent.model.outcome import LedgerView, OutcomeStatus, SubmissionOutcome
from tests.ledger.ledger_helpers import NOW, make_action

POLICY = "shared-budget"


def record_then_die(url: str, action_id: str) -> None:
    """Record one intent, then exit at once: no close, no flush, no atexit handlers."""
    book = Ledger(url)
    book.record_intent(make_action(action_id), now=NOW, digest="d", admit=lambda view: None)
    os._exit(0)


def open_at(url: str, start_at: float) -> int:
    """Open (and so migrate) a ledger at a given wall-clock moment; returns the schema version."""
    time.sleep(max(0.0, start_at - time.time()))
    book = Ledger(url)
    book.close()
    return book.schema_version


def hammer(
    url: str, worker: int, tries: int, limit: int, cost: int, start_at: float
) -> tuple[int, int, int]:
    """Record `tries` intents of `cost` against one policy's `limit`: (admitted, refused, seen over).

    `admit` refuses when spent + reserved + cost would pass the limit, and sleeps a little
    before answering, to widen the window in which a missing lock would let both workers in.
    Each refusal closes this worker's oldest open intent as failed (fee 1), which frees budget
    for the next attempt of either worker: the limit is crossed again and again. Every view
    `admit` is shown is also checked: it must never already be over the limit.
    """
    book = Ledger(url)
    over = 0

    def admit(view: LedgerView) -> str | None:
        nonlocal over
        used = sum(e.planck for e in view.entries if e.policy == POLICY)
        over += used > limit
        time.sleep(0.004)
        return None if used + cost <= limit else f"{used} + {cost} > {limit}"

    admitted = refused = 0
    mine: deque[str] = deque()
    time.sleep(max(0.0, start_at - time.time()))
    for i in range(tries):
        action = make_action(f"act_w{worker}_{i:04d}", policy=POLICY, max_cost=cost)
        when = NOW + timedelta(milliseconds=i)
        try:
            book.record_intent(action, now=when, digest="d", admit=admit)
        except BudgetRefused:
            refused += 1
            if mine:
                failed = SubmissionOutcome(OutcomeStatus.FAILED, fee=1)
                book.record_outcome(mine.popleft(), failed, now=when)
            continue
        admitted += 1
        mine.append(action.id)
    book.close()
    return admitted, refused, over
