"""The sandbox runtime's call table: which calls exist on which chain, with which argument names,
and how argument values are read.

Why: the real client resolves calls by metadata name and refuses unknown ones; the sandbox does
the same from this table (names as in the Coretime and relay metadata), so a call the agent
renders wrongly fails here too, with a one-line message naming the call and the argument.
Values are accepted in the forms substrate-interface accepts: accounts as 0x hex, SS58 or
``{"Id": ...}``; a region as ``{begin, core, mask}`` or its u128 id; enums as ``"Final"`` or
``{"Final": None}``; a nested call as a `CallSpec` or ``{pallet, function, args}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.chain.addresses import to_account_id
from agent.errors import ChainIncompatible
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import AssignmentKind, Schedule, ScheduleItem

CORETIME, RELAY, PARACHAIN = TargetChain.CORETIME, TargetChain.RELAY, TargetChain.PARACHAIN

BROKER_CALLS: dict[str, tuple[str, ...]] = {
    "configure": ("config",),
    "reserve": ("workload",),
    "unreserve": ("item_index",),
    "set_lease": ("task", "until"),
    "start_sales": ("end_price", "extra_cores"),
    "purchase": ("price_limit",),
    "renew": ("core",),
    "transfer": ("region_id", "new_owner"),
    "partition": ("region_id", "pivot"),
    "interlace": ("region_id", "pivot"),
    "assign": ("region_id", "task", "finality"),
    "pool": ("region_id", "payee", "finality"),
    "claim_revenue": ("region_id", "max_timeslices"),
    "purchase_credit": ("amount", "beneficiary"),
    "drop_region": ("region_id",),
    "drop_contribution": ("region_id",),
    "drop_history": ("when",),
    "drop_renewal": ("core", "when"),
    "request_core_count": ("core_count",),
    "notify_core_count": ("core_count",),
    "notify_revenue": ("revenue",),
    "enable_auto_renew": ("core", "task", "workload_end_hint"),
    "disable_auto_renew": ("core", "task"),
    "force_reserve": ("workload", "core"),
    "remove_lease": ("task",),
    "remove_assignment": ("region_id",),
    "remove_potential_renewal": ("core", "when"),
    "swap_leases": ("id", "other"),
}

_TRANSFERS: dict[str, tuple[str, ...]] = {
    "transfer_keep_alive": ("dest", "value"),
    "transfer_allow_death": ("dest", "value"),
}
_PROXY: dict[str, tuple[str, ...]] = {"proxy": ("real", "force_proxy_type", "call")}

SIGNATURES: dict[TargetChain, dict[str, dict[str, tuple[str, ...]]]] = {
    CORETIME: {
        "Broker": BROKER_CALLS,
        "Balances": _TRANSFERS,
        "Sudo": {"sudo": ("call",), "sudo_as": ("who", "call")},
        "Proxy": _PROXY,
    },
    RELAY: {
        "OnDemand": {
            "place_order_allow_death": ("max_amount", "para_id"),
            "place_order_keep_alive": ("max_amount", "para_id"),
            "place_order_with_credits": ("max_amount", "para_id"),
        },
        "Balances": _TRANSFERS,
        "Proxy": _PROXY,
    },
    PARACHAIN: {
        "PolkadotXcm": {"send": ("dest", "message")},
        "Sudo": {"sudo": ("call",)},
    },
}

PAYS_NO_ON_SUCCESS = frozenset(
    {
        ("Broker", name)
        for name in [
            "configure",
            "reserve",
            "unreserve",
            "set_lease",
            "start_sales",
            "purchase",
            "renew",
            "claim_revenue",
            "drop_region",
            "drop_contribution",
            "drop_history",
            "drop_renewal",
            "force_reserve",
        ]
    }
    | {("Sudo", "sudo"), ("Sudo", "sudo_as")}
)
"""Calls that return `Pays::No` when they succeed (assign and pool: only when Final)."""


def pays_fee(call: CallSpec, succeeded: bool) -> bool:
    if not succeeded:
        return True
    if call.pallet == "Broker" and call.function in ("assign", "pool"):
        return finality_is_final(call.args["finality"]) is False
    return (call.pallet, call.function) not in PAYS_NO_ON_SUCCESS


def nested_call(value: Any, chain: TargetChain) -> CallSpec:
    """A call argument as a `CallSpec` on ``chain``, checked against the table."""
    if isinstance(value, CallSpec):
        call = CallSpec(chain, value.pallet, value.function, dict(value.args))
    elif isinstance(value, Mapping):
        pallet = value.get("pallet", value.get("call_module"))
        function = value.get("function", value.get("call_function"))
        args = value.get("args", value.get("call_args", {}))
        if not isinstance(pallet, str) or not isinstance(function, str):
            raise ChainIncompatible("a nested call needs 'pallet' and 'function' names")
        call = CallSpec(chain, pallet, function, dict(args or {}))
    else:
        raise ChainIncompatible(f"expected a nested call, got {type(value).__name__}")
    check_call(call)
    return call


def check_call(call: CallSpec) -> None:
    """Refuse calls and argument names the runtime does not have (`ChainIncompatible`)."""
    pallets = SIGNATURES.get(call.chain, {})
    names = pallets.get(call.pallet, {}).get(call.function)
    where = f"{call.pallet}.{call.function}"
    if names is None:
        raise ChainIncompatible(
            f"{where} is not a call of the sandbox's {call.chain.value} runtime",
            hint="names are the runtime metadata's, e.g. Broker.renew",
        )
    missing = [n for n in names if n not in call.args]
    extra = sorted(set(call.args) - set(names))
    if missing or extra:
        wanted = ", ".join(names) or "no arguments"
        raise ChainIncompatible(
            f"{where}: argument names {sorted(call.args)} do not match the metadata ({wanted})"
        )
    for key in ("call",):
        if key in call.args:
            nested_call(call.args[key], call.chain)


def as_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ChainIncompatible(f"argument '{name}' must be a non-negative integer, got {value!r}")
    return value


def as_optional_int(value: Any, name: str) -> int | None:
    if isinstance(value, Mapping) and set(value) <= {"Some", "None"}:
        value = value.get("Some")
    return None if value is None else as_int(value, name)


def as_account(value: Any, name: str) -> str:
    if isinstance(value, Mapping) and "Id" in value:
        value = value["Id"]
    if isinstance(value, bytes):
        value = "0x" + value.hex()
    if not isinstance(value, str):
        raise ChainIncompatible(f"argument '{name}' must be an account, got {value!r}")
    try:
        return to_account_id(value)
    except ValueError as exc:
        raise ChainIncompatible(f"argument '{name}': {exc}") from None


def as_mask(value: Any, name: str) -> int:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 22:
        return int(value, 16)
    if isinstance(value, (bytes, bytearray)) and len(value) == 10:
        return int.from_bytes(value, "big")
    mask = as_int(value, name)
    if mask >= 1 << 80:
        raise ChainIncompatible(f"argument '{name}' is not an 80-bit CoreMask")
    return mask


def as_region(value: Any, name: str) -> tuple[int, int, int]:
    """A RegionId as ``(begin, core, mask)``, from ``{begin, core, mask}`` or the u128 id."""
    if isinstance(value, Mapping):
        try:
            begin, core, mask = value["begin"], value["core"], value["mask"]
        except KeyError as missing:
            raise ChainIncompatible(f"argument '{name}' lacks {missing}") from None
        return as_int(begin, name), as_int(core, name), as_mask(mask, name)
    raw = as_int(value, name)
    return raw >> 96, (raw >> 80) & 0xFFFF, raw & ((1 << 80) - 1)


def finality_is_final(value: Any) -> bool:
    text = next(iter(value)) if isinstance(value, Mapping) and len(value) == 1 else value
    if text not in ("Final", "Provisional"):
        raise ChainIncompatible(f"argument 'finality' must be Final or Provisional, got {value!r}")
    return bool(text == "Final")


def as_assignment(value: Any) -> tuple[AssignmentKind, int | None]:
    if value in ("Idle", "Pool"):
        return AssignmentKind(str(value).lower()), None
    if isinstance(value, Mapping) and set(value) == {"Task"}:
        return AssignmentKind.TASK, as_int(value["Task"], "assignment")
    if isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in ("Idle", "Pool"):
        return as_assignment(next(iter(value)))
    raise ChainIncompatible(f"not a CoreAssignment: {value!r}")


def as_schedule(value: Any, name: str) -> Schedule:
    if not isinstance(value, (list, tuple)):
        raise ChainIncompatible(f"argument '{name}' must be a list of schedule items")
    items = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ChainIncompatible(f"argument '{name}' holds a non-item {item!r}")
        kind, task = as_assignment(item.get("assignment"))
        items.append(ScheduleItem(as_mask(item.get("mask"), name), kind, task))
    return tuple(items)
