"""Sign, submit, wait for inclusion (bounded) and read the outcome from the block's events.

Why: an unattended agent needs an outcome for every intent, never a hang: the pool's refusal is
INVALID (with its reason), a dispatch error is FAILED with `pallet.Name`, a dropped transaction
is DROPPED, and nothing by the deadline is UNKNOWN (the ledger reconciles it later by hash).
Nonces are tracked locally so several submissions in a row do not collide; the chain's
`system_accountNextIndex` is asked at first use and again after any error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from hashlib import blake2b
from typing import Any

from substrateinterface.exceptions import SubstrateRequestException

from agent.chain.substrate import events as ev
from agent.chain.substrate.connection import (
    EndpointFailure,
    Session,
    map_transport_errors,
    rpc_error_text,
)
from agent.chain.substrate.encode import compose
from agent.chain.substrate.signer import Signers
from agent.chain.substrate.storage import StorageLayout
from agent.model.actions import CallSpec
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.port import SignerSpec

logger = logging.getLogger(__name__)

_NONCE_TROUBLE = ("outdated", "stale", "priority is too low", "future")
"""Pool refusals that mean our nonce was wrong (nothing was accepted, so re-signing is safe)."""


@dataclass(frozen=True, slots=True)
class SubmitSettings:
    era_period: int = 64
    """Mortality in blocks: a transaction not included by then can never be included."""
    inclusion_timeout: float = 60.0
    wait_for_finalization: bool = False


class NonceTracker:
    """The next nonce per account, kept locally between submissions."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def next(self, account: str, fetch: Callable[[], int]) -> int:
        if account not in self._next:
            self._next[account] = int(fetch())
        return self._next[account]

    def used(self, account: str, nonce: int) -> None:
        self._next[account] = nonce + 1

    def forget(self, account: str) -> None:
        self._next.pop(account, None)


def proxied(call: CallSpec, spec: SignerSpec) -> CallSpec:
    """`call` wrapped in `Proxy.proxy(real, force_proxy_type, call)` when the signer is a proxy."""
    if spec.proxy is None:
        return call
    return CallSpec(
        call.chain,
        "Proxy",
        "proxy",
        {"real": spec.proxy.real, "force_proxy_type": spec.proxy.proxy_type, "call": call},
    )


@dataclass
class Prepared:
    extrinsic: Any
    extrinsic_hash: str
    account: str
    nonce: int
    payer: str


def prepare(
    session: Session,
    signers: Signers,
    nonces: NonceTracker,
    call: CallSpec,
    spec: SignerSpec,
    settings: SubmitSettings,
) -> Prepared:
    """Compose, pick the nonce and sign. Safe to repeat: nothing leaves the process."""
    keypair = signers.keypair(spec)
    account = signers.signing_account(spec)
    composed = compose(session, proxied(call, spec))
    nonce = nonces.next(
        account, lambda: int(session.request("system_accountNextIndex", [keypair.ss58_address]))
    )
    extrinsic = session.api.create_signed_extrinsic(
        call=composed, keypair=keypair, era={"period": settings.era_period}, nonce=nonce
    )
    return Prepared(
        extrinsic=extrinsic,
        extrinsic_hash="0x" + extrinsic.extrinsic_hash.hex(),
        account=account,
        nonce=nonce,
        payer=signers.account_of(spec),
    )


def nonce_trouble(outcome: SubmissionOutcome) -> bool:
    return outcome.status is OutcomeStatus.INVALID and any(
        word in outcome.message.lower() for word in _NONCE_TROUBLE
    )


def _watch(session: Session, prepared: Prepared, settings: SubmitSettings) -> dict[str, Any]:
    """Submit and follow the pool's status until inclusion, a final status or the deadline."""
    deadline = time.monotonic() + settings.inclusion_timeout
    socket = session.api.websocket

    def handler(message: dict[str, Any], update_nr: int, subscription: Any) -> Any:
        socket.settimeout(max(0.01, deadline - time.monotonic()))  # the next wait ends in time
        result = message.get("params", {}).get("result")
        status = {k.lower(): v for k, v in result.items()} if isinstance(result, dict) else {}
        if "finalized" in status or ("inblock" in status and not settings.wait_for_finalization):
            session.api.rpc_request("author_unwatchExtrinsic", [subscription])
            return {"block_hash": status.get("finalized") or status["inblock"]}
        if isinstance(result, str) and result.lower() in ("dropped", "invalid"):
            return {"status": result.lower()}
        if "usurped" in status or "finalitytimeout" in status:
            return {"status": next(iter(status))}
        if time.monotonic() > deadline:
            return {"status": "timeout"}
        return None

    socket.settimeout(settings.inclusion_timeout)
    try:
        reply: dict[str, Any] = session.api.rpc_request(
            "author_submitAndWatchExtrinsic", [str(prepared.extrinsic.data)], result_handler=handler
        )
        return reply
    finally:
        socket.settimeout(session.timeout)


def _outcome_from_block(
    session: Session, layout: StorageLayout, prepared: Prepared, block_hash: str
) -> SubmissionOutcome:
    block, raw_events = session.batch(
        [
            ("chain_getBlock", [block_hash]),
            ("state_getStorage", [layout.key("System", "Events"), block_hash]),
        ]
    )
    extrinsics = block["block"]["extrinsics"]
    hashes = ["0x" + blake2b(bytes.fromhex(x[2:]), digest_size=32).hexdigest() for x in extrinsics]
    number = int(block["block"]["header"]["number"], 16)
    base = SubmissionOutcome(
        status=OutcomeStatus.UNKNOWN,
        extrinsic_hash=prepared.extrinsic_hash,
        block_hash=block_hash,
        block_number=number,
    )
    if prepared.extrinsic_hash not in hashes:
        return replace(base, message=f"reported in block #{number}, but not found in its body")
    decoder = ev.EventDecoder(layout.metadata, layout.config)
    records = layout.decode("System", "Events", raw_events) or []
    found = decoder.of_extrinsic(records, hashes.index(prepared.extrinsic_hash))
    error = ev.failure(found, decoder)
    outcome = replace(base, events=found, fee=ev.fee(found))
    if error is not None:
        text = f"{error}: {error.docs}" if error.docs else str(error)
        return replace(outcome, status=OutcomeStatus.FAILED, error=error, message=text)
    return replace(
        outcome,
        status=OutcomeStatus.INCLUDED,
        spent=ev.spent(found, prepared.payer),
        message=f"included in block #{number}",
    )


def _submit(
    session: Session, prepared: Prepared, settings: SubmitSettings
) -> dict[str, Any] | SubmissionOutcome:
    try:
        return _watch(session, prepared, settings)
    except SubstrateRequestException as exc:  # the pool refused it: nothing was accepted
        error = exc.args[0] if exc.args else exc
        return SubmissionOutcome(
            status=OutcomeStatus.INVALID,
            extrinsic_hash=prepared.extrinsic_hash,
            message=rpc_error_text(error),
        )


def send(
    session: Session, layout: StorageLayout, prepared: Prepared, settings: SubmitSettings
) -> tuple[SubmissionOutcome, bool]:
    """Submit once (never retried) and build the outcome; the flag says the session is reusable."""
    base = SubmissionOutcome(status=OutcomeStatus.UNKNOWN, extrinsic_hash=prepared.extrinsic_hash)
    late = f"not included within {settings.inclusion_timeout:g}s"
    if not session.api.websocket.connected:
        raise EndpointFailure(session.url, "connection closed")
    try:
        with map_transport_errors(session.url, settings.inclusion_timeout):
            reply = _submit(session, prepared, settings)
    except EndpointFailure as failure:
        if "timeout" in failure.reason:
            return replace(base, message=late), False
        return replace(base, message=f"connection lost after sending: {failure.reason}"), False
    if isinstance(reply, SubmissionOutcome):
        return reply, True
    if "status" in reply:
        if reply["status"] == "timeout":
            return replace(base, message=late), False
        message = f"pool reported {reply['status']}"
        return replace(base, status=OutcomeStatus.DROPPED, message=message), False
    block_hash = str(reply["block_hash"])
    try:
        with map_transport_errors(session.url, session.timeout):
            return _outcome_from_block(session, layout, prepared, block_hash), True
    except EndpointFailure as failure:
        message = f"included in {block_hash}, events unavailable: {failure.reason}"
        return replace(base, block_hash=block_hash, message=message), False
