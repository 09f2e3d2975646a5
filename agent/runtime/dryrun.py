"""Dry-run: the whole pipeline runs; only the submitter is swapped (architecture invariant 8).

The dry-run submitter encodes the call and, where the port can, pre-flights it, then records what
it would have sent. Its outcome counts the expected cost so budgets behave as they would live;
dry-run records live in their own ledger mode and never block live actions.
"""

from __future__ import annotations

from agent.model.actions import Action
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.policy import LoadedPolicy
from agent.model.port import ChainPort, SignerSpec


def dry_run_executor(
    action: Action, policy: LoadedPolicy, port: ChainPort, signer: SignerSpec
) -> SubmissionOutcome:
    call_hex = "0x" + port.encode(action.call).hex()
    check = port.preflight(action.call, signer)
    if not check.ok:
        return SubmissionOutcome(
            OutcomeStatus.FAILED,
            error=check.error,
            message=f"dry run: would fail: {check.error or check.message}; call {call_hex}",
        )
    return SubmissionOutcome(
        OutcomeStatus.DRY_RUN,
        spent=action.expected_cost or 0,
        message=f"dry run: would send {action.call.pallet}.{action.call.function} {call_hex}",
    )
