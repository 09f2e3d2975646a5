"""Submitting one extrinsic to the sandbox, like chopsticks' Instant mode.

Why: the agent's submitter expects what a real node gives: the call lands in the next block
(one Coretime block, +2 relay blocks), the fee is withdrawn first and refunded for `Pays::No`
calls, a failing call is rolled back but still pays, and the outcome lists the events with the
module error by name. A wrapper whose inner call failed (`Sudo.sudo`, `Proxy.proxy`) is
included on chain but reported as FAILED with the inner error, so the agent never mistakes it
for success.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from agent.chain.sandbox.calls import check_call, pays_fee
from agent.chain.sandbox.clock import Timeline
from agent.chain.sandbox.config import SandboxConfig
from agent.chain.sandbox.dispatch import DispatchFailure, Sink, error_value, event
from agent.chain.sandbox.dispatcher import Context, dispatch, in_layer, signed
from agent.chain.sandbox.encoding import MAGIC, decode_call, encode_call
from agent.chain.sandbox.snapshot import block_hash
from agent.chain.sandbox.xcm import execute
from agent.model.actions import CallSpec, TargetChain
from agent.model.outcome import ChainEvent, OutcomeStatus, SubmissionOutcome

WEIGHT = {"ref_time": 1_000_000_000, "proof_size": 10_000}
"""The weight every sandbox call reports (the real one comes from benchmarks)."""


def para_of(tl: Timeline, signer: str, call: CallSpec) -> int | None:
    """The parachain whose sudo key ``signer`` is; if it is several paras' key, the para the
    call names (a ``task`` or ``para_id`` argument, also inside an encoded `Transact`)."""
    candidates = sorted(p for p, sim in tl.world.paras.items() if sim.sudo == signer)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    named = _named_paras(call)
    return next((p for p in candidates if p in named), candidates[0])


def _named_paras(value: Any) -> set[int]:
    if isinstance(value, CallSpec):
        return _named_paras(dict(value.args))
    if isinstance(value, str) and value.startswith("0x" + MAGIC.hex()):
        return _named_paras(decode_call(value))
    found: set[int] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("task", "para_id") and isinstance(item, int):
                found.add(item)
            else:
                found |= _named_paras(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= _named_paras(item)
    return found


def spent_by(events: list[ChainEvent], payer: str) -> int:
    """Planck that left ``payer`` for the action itself, read from the events."""
    total = 0
    for item in events:
        a = item.attributes
        key = (item.pallet, item.name)
        if key in (("Broker", "Purchased"), ("Broker", "Renewed")) and a.get("who") == payer:
            total += int(a["price"])
        elif key == ("OnDemand", "OnDemandOrderPlaced") and a.get("ordered_by") == payer:
            total += int(a["spot_price"])
        elif key == ("Balances", "Transfer") and a.get("from") == payer:
            total += int(a["amount"])
    return total


def submit(
    tl: Timeline, config: SandboxConfig, call: CallSpec, who: str, payer: str, sudo: str
) -> SubmissionOutcome:
    """Include ``call`` signed by ``who`` in the next block. ``payer`` is whose spend counts."""
    check_call(call)
    w, chain = tl.world, call.chain
    fee = 0 if chain is TargetChain.PARACHAIN else config.flat_fee()
    ledger = w.relay if chain is TargetChain.RELAY else w.coretime
    para_id = para_of(tl, who, call) if chain is TargetChain.PARACHAIN else None
    if chain is TargetChain.PARACHAIN and para_id is None:
        return SubmissionOutcome(
            OutcomeStatus.INVALID, message="the signer is not the sudo key of a sandbox parachain"
        )
    if fee and not ledger.can_pay(who, fee, keep_alive=True):
        return SubmissionOutcome(
            OutcomeStatus.INVALID,
            message="Inability to pay some fees (e.g. account balance too low)",
        )
    record = tl.produce_block(w.clock.relay + 2)
    sink = Sink()
    env = replace(tl.env, emit=sink.emit)
    nonce = w.nonces.get(who, 0)
    w.nonces[who] = nonce + 1
    digest = hashlib.blake2b(encode_call(call) + f":{who}:{nonce}".encode(), digest_size=32)
    if fee:
        ledger.withdraw(who, fee, env.emit, keep_alive=True)
    ctx = Context(
        w,
        env,
        sink,
        now=w.clock.relay,
        sudo=w.paras[para_id].sudo if para_id is not None else sudo,
        para_id=para_id,
        coretime_para_id=config.network.coretime_para_id,
    )
    error = in_layer(ctx, lambda: dispatch(ctx, call, signed(who)))
    succeeded = error is None
    charged = fee if pays_fee(call, succeeded) else 0
    if fee and not charged:
        try:
            ledger.deposit(who, fee, env.emit)
        except DispatchFailure:  # the call reaped the account: the refund is lost, as on chain
            charged = fee
    pays = "Yes" if pays_fee(call, succeeded) else "No"
    info = {"weight": dict(WEIGHT), "class": "Normal", "pays_fee": pays}
    if chain is not TargetChain.PARACHAIN:
        env.emit(
            event("TransactionPayment", "TransactionFeePaid", who=who, actual_fee=charged, tip=0)
        )
    if succeeded:
        env.emit(event("System", "ExtrinsicSuccess", dispatch_info=info))
    else:
        assert error is not None
        env.emit(
            event(
                "System", "ExtrinsicFailed", dispatch_error=error_value(error), dispatch_info=info
            )
        )
    notes = []
    if chain is TargetChain.CORETIME:
        record.events.extend(sink.events)
        number, block = record.number, record.hash
    elif chain is TargetChain.RELAY:
        tl.relay_record(w.clock.relay).events.extend(sink.events)
        number, block = w.clock.relay, block_hash("relay", w.clock.relay, w.clock.epoch)
    else:
        assert para_id is not None
        para = w.paras[para_id]
        para.block_number += 1
        number = para.block_number
        block = block_hash(f"para-{para_id}", number, w.clock.epoch)
        remote = Context(w, tl.env, tl.coretime_sink, now=w.clock.relay, sudo=sudo)
        tl.coretime_sink.events = record.events
        for origin_para, descended, send in ctx.outbox if succeeded else []:
            notes.append(execute(remote, origin_para, descended, send, config.flat_xcm_fee()))
    inner = ctx.inner_errors[-1] if succeeded and ctx.inner_errors else None
    failed = error or inner
    return SubmissionOutcome(
        status=OutcomeStatus.FAILED if failed else OutcomeStatus.INCLUDED,
        extrinsic_hash="0x" + digest.hexdigest(),
        block_hash=block,
        block_number=number,
        events=tuple(sink.events),
        error=failed,
        message=f"{failed.pallet}.{failed.name}" if failed else "; ".join(notes),
        spent=spent_by(sink.events, payer),
        fee=charged,
    )
