"""Dispatching a call with an origin: the pallets' call handlers and the origin checks.

Why: the same call must succeed or fail as on the real runtime: admin calls need Root (through
`Sudo.sudo`), `enable_auto_renew` needs the task's sibling account (through `Sudo.sudo_as`, a
proxy's real account or an XCM `Transact`), everything else a signed account. Wrapped calls
run in their own storage layer: when the inner call fails, its changes and events are undone
and the wrapper's event carries the error, exactly like `Sudo.Sudid{sudo_result: Err}`.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.chain.sandbox import broker_market as market
from agent.chain.sandbox import broker_regions as regions
from agent.chain.sandbox.broker_tick import start_sales
from agent.chain.sandbox.calls import (
    as_account,
    as_int,
    as_optional_int,
    as_region,
    as_schedule,
    finality_is_final,
    nested_call,
)
from agent.chain.sandbox.dispatch import DispatchFailure, Sink, bad_origin, error_value, event
from agent.chain.sandbox.relay import place_order
from agent.chain.sandbox.world import Env, World
from agent.chain.sandbox.xcm_program import destination_para, instructions
from agent.model.actions import CallSpec, TargetChain
from agent.model.outcome import ModuleError

ROOT = "root"


@dataclass(frozen=True, slots=True)
class Origin:
    """``Origin("root")`` or ``Origin("signed", who)``."""

    kind: str
    who: str | None = None


ROOT_ORIGIN = Origin(ROOT)


def signed(who: str) -> Origin:
    return Origin("signed", who)


@dataclass
class Context:
    """One extrinsic's dispatch: the world, its chain and what the wrappers collected."""

    w: World
    env: Env
    sink: Sink
    now: int
    sudo: str | None  # the sudo key's account on this chain (a para's, for parachain calls)
    para_id: int | None = None
    coretime_para_id: int = 1005
    inner_errors: list[ModuleError] = field(default_factory=list)
    outbox: list[tuple[int, str | None, CallSpec]] = field(default_factory=list)
    """XCM programs sent to the Coretime chain: (para, descended signer or None, send call)."""


def restore(w: World, saved: World) -> None:
    for item in dataclasses.fields(World):
        setattr(w, item.name, getattr(saved, item.name))


def in_layer(ctx: Context, action: Callable[[], None]) -> ModuleError | None:
    """Run ``action`` transactionally: on failure, undo its changes and events."""
    saved = copy.deepcopy(ctx.w)
    mark, sent = len(ctx.sink.events), len(ctx.outbox)
    try:
        action()
    except DispatchFailure as failure:
        restore(ctx.w, saved)
        del ctx.sink.events[mark:]
        del ctx.outbox[sent:]
        return failure.error
    return None


def require_signed(origin: Origin) -> str:
    if origin.kind != "signed" or origin.who is None:
        raise bad_origin()
    return origin.who


def require_root(origin: Origin) -> None:
    if origin.kind != ROOT:
        raise bad_origin()


def dispatch(ctx: Context, call: CallSpec, origin: Origin) -> None:
    handler = _HANDLERS.get((call.chain, call.pallet))
    if handler is None:  # pragma: no cover - check_call refuses these first
        raise DispatchFailure("System", "CallFiltered", f"{call.pallet} is not modelled")
    handler(ctx, call, origin)


_ADMIN = frozenset(
    [
        "configure",
        "reserve",
        "unreserve",
        "set_lease",
        "start_sales",
        "request_core_count",
        "notify_core_count",
        "notify_revenue",
        "force_reserve",
        "remove_lease",
        "remove_assignment",
        "remove_potential_renewal",
        "swap_leases",
    ]
)
_ANY_ORIGIN = frozenset(["drop_region", "drop_contribution", "drop_history", "drop_renewal"])
_NOT_MODELLED = frozenset(
    [
        "interlace",
        "claim_revenue",
        "purchase_credit",
        "drop_contribution",
        "drop_history",
        "notify_revenue",
        "force_reserve",
        "swap_leases",
    ]
)


def _broker(ctx: Context, call: CallSpec, origin: Origin) -> None:
    fn, a, w, env, now = call.function, call.args, ctx.w, ctx.env, ctx.now
    if fn in _NOT_MODELLED:
        raise DispatchFailure("System", "CallFiltered", "not modelled by the sandbox")
    who = ""
    if fn in _ADMIN:
        require_root(origin)
    elif fn not in _ANY_ORIGIN:
        who = require_signed(origin)
    if fn == "configure":
        config = a["config"]
        if not isinstance(config, dict):
            raise DispatchFailure("Broker", "InvalidConfig")
        regions.configure(w, config)
    elif fn == "start_sales":
        start_sales(
            w,
            env,
            as_int(a["end_price"], "end_price"),
            as_int(a["extra_cores"], "extra_cores"),
            now,
        )
    elif fn == "reserve":
        regions.reserve(w, env, as_schedule(a["workload"], "workload"))
    elif fn == "unreserve":
        regions.unreserve(w, env, as_int(a["item_index"], "item_index"))
    elif fn == "set_lease":
        regions.set_lease(w, env, as_int(a["task"], "task"), as_int(a["until"], "until"), now)
    elif fn == "remove_lease":
        regions.remove_lease(w, env, as_int(a["task"], "task"))
    elif fn == "request_core_count":
        regions.request_core_count(env, as_int(a["core_count"], "core_count"))
    elif fn == "notify_core_count":
        regions.notify_core_count(w, as_int(a["core_count"], "core_count"))
    elif fn == "remove_assignment":
        regions.remove_assignment(w, env, as_region(a["region_id"], "region_id"))
    elif fn == "remove_potential_renewal":
        regions.remove_potential_renewal(
            w, env, as_int(a["core"], "core"), as_int(a["when"], "when")
        )
    elif fn == "purchase":
        market.do_purchase(w, env, who, as_int(a["price_limit"], "price_limit"), now)
    elif fn == "renew":
        market.do_renew(w, env, who, as_int(a["core"], "core"), now)
    elif fn == "enable_auto_renew":
        hint = as_optional_int(a["workload_end_hint"], "workload_end_hint")
        core, task = as_int(a["core"], "core"), as_int(a["task"], "task")
        market.do_enable_auto_renew(w, env, who, core, task, hint, now)
    elif fn == "disable_auto_renew":
        market.do_disable_auto_renew(
            w, env, who, as_int(a["core"], "core"), as_int(a["task"], "task")
        )
    elif fn == "assign":
        key = as_region(a["region_id"], "region_id")
        task, final = as_int(a["task"], "task"), finality_is_final(a["finality"])
        regions.assign(w, env, key, who, task, final)
    elif fn == "pool":
        key = as_region(a["region_id"], "region_id")
        payee, final = as_account(a["payee"], "payee"), finality_is_final(a["finality"])
        regions.pool(w, env, key, who, payee, final)
    elif fn == "transfer":
        key = as_region(a["region_id"], "region_id")
        regions.transfer(w, env, key, who, as_account(a["new_owner"], "new_owner"))
    elif fn == "partition":
        key = as_region(a["region_id"], "region_id")
        regions.partition(w, env, key, who, as_int(a["pivot"], "pivot"))
    elif fn == "drop_region":
        regions.drop_region(w, env, as_region(a["region_id"], "region_id"))
    elif fn == "drop_renewal":
        regions.drop_renewal(w, env, as_int(a["core"], "core"), as_int(a["when"], "when"))


def _balances(ctx: Context, call: CallSpec, origin: Origin) -> None:
    who = require_signed(origin)
    ledger = ctx.w.relay if call.chain is TargetChain.RELAY else ctx.w.coretime
    dest, value = as_account(call.args["dest"], "dest"), as_int(call.args["value"], "value")
    keep_alive = call.function == "transfer_keep_alive"
    ledger.transfer(who, dest, value, ctx.env.emit, keep_alive=keep_alive)


def _result(error: ModuleError | None) -> dict[str, Any]:
    """A `DispatchResult` as an event field: ``{"Ok": []}`` or ``{"Err": ...}``."""
    return {"Ok": []} if error is None else {"Err": error_value(error)}


def _sudo(ctx: Context, call: CallSpec, origin: Origin) -> None:
    who = require_signed(origin)
    if ctx.sudo is None or who != ctx.sudo:
        raise DispatchFailure("Sudo", "RequireSudo", "Sender must be the Sudo account.")
    inner = nested_call(call.args["call"], call.chain)
    if call.function == "sudo":
        inner_origin, name = ROOT_ORIGIN, "Sudid"
    else:
        inner_origin, name = signed(as_account(call.args["who"], "who")), "SudoAsDone"
    error = in_layer(ctx, lambda: dispatch(ctx, inner, inner_origin))
    ctx.env.emit(event("Sudo", name, sudo_result=_result(error)))
    if error is not None:
        ctx.inner_errors.append(error)


_PROXY_FILTERS: dict[str, Callable[[CallSpec], bool]] = {
    "Any": lambda c: True,
    "NonTransfer": lambda c: c.pallet != "Balances",
    "Broker": lambda c: c.pallet == "Broker",
    "CoretimeRenewer": lambda c: (c.pallet, c.function) == ("Broker", "renew"),
    "OnDemandPurchaser": lambda c: (c.pallet, c.function) == ("Broker", "purchase_credit"),
}


def _proxy(ctx: Context, call: CallSpec, origin: Origin) -> None:
    delegate = require_signed(origin)
    real = as_account(call.args["real"], "real")
    kind = ctx.w.proxies.get((real, delegate))
    forced = call.args["force_proxy_type"]
    if kind is None or (forced is not None and forced != kind):
        raise DispatchFailure("Proxy", "NotProxy", "Sender is not a proxy of the account.")
    inner = nested_call(call.args["call"], call.chain)
    allowed = _PROXY_FILTERS.get(kind)
    if allowed is None or not allowed(inner):
        error: ModuleError | None = ModuleError("System", "CallFiltered")
    else:
        error = in_layer(ctx, lambda: dispatch(ctx, inner, signed(real)))
    ctx.env.emit(event("Proxy", "ProxyExecuted", result=_result(error)))
    if error is not None:
        ctx.inner_errors.append(error)


def _on_demand(ctx: Context, call: CallSpec, origin: Origin) -> None:
    who = require_signed(origin)
    if call.function == "place_order_with_credits":
        raise DispatchFailure("OnDemand", "InsufficientCredits", "The account has no credits.")
    max_amount = as_int(call.args["max_amount"], "max_amount")
    para_id = as_int(call.args["para_id"], "para_id")
    keep_alive = call.function == "place_order_keep_alive"
    place_order(ctx.w, ctx.env, who, max_amount, para_id, ctx.now, keep_alive=keep_alive)


def _para_xcm(ctx: Context, call: CallSpec, origin: Origin) -> None:
    """`PolkadotXcm.send` on a parachain: queue the program for the Coretime chain."""
    if ctx.para_id is None:
        raise DispatchFailure("PolkadotXcm", "SendFailure", "No parachain to send from.")
    descended = None if origin.kind == ROOT else require_signed(origin)
    if destination_para(call.args["dest"]) != ctx.coretime_para_id:
        raise DispatchFailure("PolkadotXcm", "SendFailure", "The destination is unreachable.")
    instructions(call.args["message"])
    ctx.outbox.append((ctx.para_id, descended, call))
    location = {"parents": 1, "interior": {"X1": [{"Parachain": ctx.para_id}]}}
    ctx.env.emit(
        event(
            "PolkadotXcm",
            "Sent",
            origin=location if descended is None else {"signed": descended},
            destination=call.args["dest"],
            message=call.args["message"],
            message_id="0x" + "00" * 32,
        )
    )


_HANDLERS: dict[tuple[TargetChain, str], Callable[[Context, CallSpec, Origin], None]] = {
    (TargetChain.CORETIME, "Broker"): _broker,
    (TargetChain.CORETIME, "Balances"): _balances,
    (TargetChain.CORETIME, "Sudo"): _sudo,
    (TargetChain.CORETIME, "Proxy"): _proxy,
    (TargetChain.RELAY, "OnDemand"): _on_demand,
    (TargetChain.RELAY, "Balances"): _balances,
    (TargetChain.RELAY, "Proxy"): _proxy,
    (TargetChain.PARACHAIN, "Sudo"): _sudo,
    (TargetChain.PARACHAIN, "PolkadotXcm"): _para_xcm,
}
