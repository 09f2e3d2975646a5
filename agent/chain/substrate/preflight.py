"""Weight, fee and a dry run of a call before anything is signed.

Why: `TransactionPaymentCallApi.query_call_info` gives the weight an XCM `Transact` must carry
and the fee to expect; `DryRunApi.dry_run_call` dispatches the call with the signer's origin on
the node without a transaction, so a call filter (`System.CallFiltered`) or a module error such
as `Broker.TooEarly` shows up by name before any money or nonce is spent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from agent.chain.substrate.capabilities import xcm_versions
from agent.chain.substrate.connection import Session
from agent.chain.substrate.encode import compose
from agent.chain.substrate.events import EventDecoder, failure
from agent.chain.substrate.runtime_view import RuntimeView
from agent.chain.substrate.signer import Signers
from agent.chain.substrate.submit import proxied
from agent.model.actions import CallSpec
from agent.model.outcome import ChainEvent, PreflightResult
from agent.model.port import SignerSpec

SIGNED_EXTRINSIC_OVERHEAD = 110
"""Bytes a signed extrinsic adds to its call (address, signature, era, nonce, tip, mode):
the length the fee estimate assumes, since no nonce is fetched for a preflight."""


def _call_info(session: Session, view: RuntimeView, composed: Any, call_bytes: bytes) -> Any:
    length = len(call_bytes) + SIGNED_EXTRINSIC_OVERHEAD
    apis = view.apis(session)
    if apis is not None and apis.method("TransactionPaymentCallApi", "query_call_info"):
        return apis.call(
            session, "TransactionPaymentCallApi", "query_call_info", [call_bytes, length], None
        )
    return session.api.runtime_call(
        "TransactionPaymentCallApi", "query_call_info", {"call": composed, "len": length}
    ).value


def _emitted(emitted: Any, decoder: EventDecoder) -> tuple[ChainEvent, ...]:
    """Dry-run events (scalecodec's module_id/event_id form) as `ChainEvent`s."""
    return tuple(
        decoder.event({"event": e})
        for e in emitted or []
        if isinstance(e, Mapping) and "module_id" in e
    )


def preflight(
    session: Session, view: RuntimeView, signers: Signers, call: CallSpec, spec: SignerSpec
) -> PreflightResult:
    wrapped = proxied(call, spec)
    composed = compose(session, wrapped)
    call_bytes = bytes(composed.data.data)
    info = _call_info(session, view, composed, call_bytes)
    weight = info.get("weight") or {}
    base = PreflightResult(
        ok=True,
        weight_ref_time=int(weight.get("ref_time", 0)),
        weight_proof_size=int(weight.get("proof_size", 0)),
        partial_fee=int(info.get("partial_fee", info.get("partialFee", 0))),
    )
    apis = view.apis(session)
    method = apis.method("DryRunApi", "dry_run_call") if apis is not None else None
    if apis is None or method is None:
        return replace(base, message="fee and weight only: the runtime has no DryRunApi")
    layout = view.layout(session)
    origin = {"system": {"Signed": signers.signing_account(spec)}}
    args: list[Any] = [origin, call_bytes]
    if len(method.inputs) == 3:
        args.append(max(xcm_versions(layout), default=3))
    result = apis.call(session, "DryRunApi", "dry_run_call", args, None)
    if not isinstance(result, Mapping) or "Ok" not in result:
        return replace(base, message=f"fee and weight only: dry run refused ({result})")
    effects = result["Ok"]
    decoder = EventDecoder(layout.metadata, layout.config)
    execution = effects.get("execution_result", {})
    error = None
    if isinstance(execution, Mapping) and "Err" in execution:
        error = decoder.error(execution["Err"].get("error"))
    error = error or failure(_emitted(effects.get("emitted_events"), decoder), decoder)
    if error is not None:
        text = f"dry run failed: {error}" + (f": {error.docs}" if error.docs else "")
        return replace(base, ok=False, error=error, message=text)
    return replace(base, message="dry run ok")
