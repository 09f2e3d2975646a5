"""A parachain's XCM program executed on the sandbox's Coretime chain, kept deliberately small.

Why: auto-renewal is switched on by the para itself: its sudo sends `PolkadotXcm.send` with a
`Transact` that the Coretime chain dispatches as the para's sibling account. The sandbox runs
that path with the same outcome rules, simplified:

- Only Root-sent programs (`Sudo.sudo(PolkadotXcm.send)` by the para's sudo key) arrive as the
  sibling account. A signed `send`, or a `DescendOrigin(AccountId32)` in the program, arrives
  as a different derived account, so `enable_auto_renew` fails with `NoPermission`, as on a
  real chain.
- The barrier wants paid execution: `WithdrawAsset` (taken from the origin account), then
  `BuyExecution` or `PayFees` before any `Transact`. Execution costs a flat `xcm_fee`.
- `Transact` needs ``origin_kind: SovereignAccount``; its call is a `CallSpec`, a
  ``{pallet, function, args}`` mapping or sandbox-encoded bytes. A failing call does not fail
  the message (as since XCM v3); its events are simply absent.
- `DepositAsset` returns what is left to the origin account; anything left otherwise is trapped.
- The result is `MessageQueue.Processed{origin: {"Sibling": para}, success}` on the Coretime
  chain; the parachain's own outcome only knows the message was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.chain.sandbox.calls import nested_call
from agent.chain.sandbox.dispatch import DispatchFailure, event
from agent.chain.sandbox.dispatcher import Context, dispatch, in_layer, signed
from agent.chain.sandbox.encoding import decode_call
from agent.chain.sandbox.xcm_program import (
    descended_account,
    destination_account,
    fungible,
    instructions,
)
from agent.errors import ChainIncompatible
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec, TargetChain
from agent.model.outcome import ModuleError


def _transact_call(body: Any) -> CallSpec:
    call = body.get("call") if isinstance(body, Mapping) else None
    if isinstance(call, Mapping) and "encoded" in call:
        call = call["encoded"]
    if isinstance(call, (bytes, str)):
        call = decode_call(call, TargetChain.CORETIME)
    return nested_call(call, TargetChain.CORETIME)


def _run_as(ctx: Context, call: CallSpec, who: str) -> ModuleError | None:
    return in_layer(ctx, lambda: dispatch(ctx, call, signed(who)))


def execute(ctx: Context, para_id: int, descended: str | None, send: CallSpec, fee: int) -> str:
    """Run one program from ``para_id`` on the Coretime chain; returns a one-line summary."""
    w, emit = ctx.w, ctx.env.emit
    origin: str | None = sibling_account(para_id)
    if descended is not None:
        origin = descended_account(para_id, descended)
    holding, paid, notes = 0, False, []
    failure = None
    program = instructions(send.args["message"])
    for name, body in program:
        try:
            if name == "DescendOrigin":
                inner = destination_account(body)
                origin = descended_account(para_id, inner or str(body))
            elif name == "ClearOrigin":
                origin = None
            elif name == "WithdrawAsset":
                if origin is None:
                    raise DispatchFailure("Xcm", "BadOrigin")
                amount = fungible(body)
                w.coretime.withdraw(origin, amount, emit, keep_alive=False)
                holding += amount
            elif name in ("BuyExecution", "PayFees"):
                if holding < fee:
                    raise DispatchFailure("Xcm", "TooExpensive")
                holding -= fee
                paid = True
            elif name == "Transact":
                if not paid:
                    raise DispatchFailure("Xcm", "Barrier")
                kind = body.get("origin_kind") if isinstance(body, Mapping) else None
                kind = next(iter(kind)) if isinstance(kind, Mapping) else kind
                if kind != "SovereignAccount" or origin is None:
                    raise DispatchFailure("Xcm", "BadOrigin")
                call = _transact_call(body)
                error = _run_as(ctx, call, origin)
                where = f"{call.pallet}.{call.function}"
                notes.append(f"{where} failed: {error}" if error else f"{where} ok")
            elif name == "DepositAsset" and holding and origin is not None:
                w.coretime.deposit(origin, holding, emit)
                holding = 0
        except (DispatchFailure, ChainIncompatible) as exc:
            failure = str(exc.error) if isinstance(exc, DispatchFailure) else exc.one_line()
            break
    if holding:
        emit(event("PolkadotXcm", "AssetsTrapped", origin={"Sibling": para_id}, assets=holding))
    emit(
        event(
            "MessageQueue",
            "Processed",
            origin={"Sibling": para_id},
            weight_used={"ref_time": 0, "proof_size": 0},
            success=failure is None,
        )
    )
    if failure is not None:
        return f"XCM from para {para_id} failed on the Coretime chain: {failure}"
    return f"XCM from para {para_id} executed on the Coretime chain: " + "; ".join(notes or ["ok"])
