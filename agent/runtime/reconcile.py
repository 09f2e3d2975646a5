"""Start-up reconciliation: close intents left open by a crash, from what the chain shows.

Why: an intent is written before signing, so after a crash the ledger may hold intents whose
extrinsic was sent, or not. Before any new planning, each open intent is settled from the chain
state of the first snapshot: its effect is visible (→ included, the expected price counted as
spent), clearly absent (→ dropped, nothing spent, the planner may try again), or not decidable
(→ left open: its reservation keeps counting against the budget, which is the safe side).
"""

from __future__ import annotations

from datetime import datetime

from agent.ledger import IntentRecord, Ledger
from agent.model.actions import ActionKind
from agent.model.chain import ChainSnapshot, schedule_tasks
from agent.model.outcome import OutcomeStatus, SubmissionOutcome


def effect_visible(intent: IntentRecord, snap: ChainSnapshot) -> bool | None:
    """True: the chain shows the action's effect; False: it clearly does not; None: can't tell."""
    sale = snap.sale
    kind = ActionKind(intent.kind)
    if kind is ActionKind.RENEW:
        if sale is None:
            return None
        rights = [r for r in snap.potential_renewals if intent.para_id in r.tasks]
        if any(r.when == sale.region_end for r in rights) and intent.sale == sale.region_begin:
            return True
        return False if any(r.when == sale.region_begin for r in rights) else None
    if kind is ActionKind.ENABLE_AUTO_RENEW:
        return any(a.task == intent.para_id for a in snap.auto_renewals)
    if kind is ActionKind.DISABLE_AUTO_RENEW:
        return not any(a.task == intent.para_id for a in snap.auto_renewals)
    if kind is ActionKind.ASSIGN:
        begin, core = intent.target.get("begin"), intent.target.get("core")
        if begin is None or core is None:
            return None
        return intent.para_id in schedule_tasks(snap.workplan.get((begin, core), ()))
    return None  # purchases, orders and transfers: amounts alone can't prove it either way


def reconcile_open_intents(
    ledger: Ledger, snapshot: ChainSnapshot, now: datetime
) -> list[tuple[str, OutcomeStatus]]:
    closed: list[tuple[str, OutcomeStatus]] = []
    for intent in ledger.open_intents():
        if intent.network != snapshot.network:
            continue
        seen = effect_visible(intent, snapshot)
        if seen is None:
            continue
        if seen:
            spent = intent.expected_cost if intent.expected_cost is not None else intent.reserved
            outcome = SubmissionOutcome(
                OutcomeStatus.INCLUDED,
                spent=spent,
                message=f"reconciled at start-up from block #{snapshot.coretime_block.number}",
            )
        else:
            outcome = SubmissionOutcome(
                OutcomeStatus.DROPPED,
                message=f"not on chain at block #{snapshot.coretime_block.number}; reconciled",
            )
        ledger.record_outcome(intent.action_id, outcome, now=now)
        closed.append((intent.action_id, outcome.status))
    return closed
