"""Calls by pallet and function name, encoded through the runtime's metadata (never by index).

Why: indices and layouts drift between runtimes (protocol.md §8), names do not. Arguments are
checked against the metadata's argument names before encoding, so a typo is a clear one-line
error instead of a wrong call. Values keep scalecodec's forms, plus two conveniences: a nested
`CallSpec` for call-typed arguments, and an int for fixed byte arrays such as a CoreMask
(big-endian, so byte 0 holds the most significant bits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.chain.substrate.connection import Session
from agent.chain.substrate.registry import KEEP, type_info, walk
from agent.errors import ChainIncompatible
from agent.model.actions import CallSpec


def _bytes_from_int(info: Mapping[str, Any], value: Any, config: Any) -> Any:
    """An int given for a ``[u8; N]`` becomes N big-endian bytes (byte 0 most significant)."""
    array = info.get("def", {}).get("array")
    if array is None or not isinstance(value, int) or isinstance(value, bool):
        return KEEP
    if type_info(config, array["type"]).get("def", {}).get("primitive") != "u8":
        return KEEP
    return "0x" + value.to_bytes(array["len"], "big").hex()


def _normalise(config: Any, type_id: int, value: Any) -> Any:
    return walk(config, type_id, value, lambda info, v: _bytes_from_int(info, v, config))


def _function(session: Session, call: CallSpec) -> Any:
    metadata = session.api.metadata
    pallet = metadata.get_metadata_pallet(call.pallet)
    spec = session.spec_version
    if pallet is None:
        raise ChainIncompatible(f"runtime {spec} has no pallet '{call.pallet}'")
    functions = {str(f.name): f for f in pallet.calls or []}
    if call.function not in functions:
        raise ChainIncompatible(
            f"pallet {call.pallet} of runtime {spec} has no call '{call.function}'"
            f" (calls: {', '.join(sorted(functions))})"
        )
    return functions[call.function]


def compose(session: Session, call: CallSpec) -> Any:
    """A scalecodec `GenericCall` for `call`, its argument names checked against metadata."""
    function = _function(session, call)
    config = session.api.runtime_config
    arg_types = {str(a.value["name"]): int(a.value["type"]) for a in function.args}
    given, expected = set(call.args), set(arg_types)
    if given != expected:
        wanted = ", ".join(arg_types)
        problems = [
            f"missing {sorted(expected - given)}" if expected - given else "",
            f"unknown {sorted(given - expected)}" if given - expected else "",
        ]
        raise ChainIncompatible(
            f"{call.pallet}.{call.function} takes ({wanted}): "
            + "; ".join(p for p in problems if p)
        )
    obj = config.create_scale_object("Call", metadata=session.api.metadata)
    try:
        args = {name: _argument(session, arg_types[name], call.args[name]) for name in arg_types}
        obj.encode({"call_module": call.pallet, "call_function": call.function, "call_args": args})
    except ChainIncompatible:
        raise
    except Exception as exc:  # scalecodec raises many types for a bad value
        raise ChainIncompatible(
            f"cannot encode {call.pallet}.{call.function}: {type(exc).__name__}: {exc}"
        ) from None
    return obj


def _argument(session: Session, type_id: int, value: Any) -> Any:
    """Nested calls are composed (and checked) themselves; other values are normalised."""
    if isinstance(value, CallSpec):
        return compose(session, value)
    if isinstance(value, list | tuple) and value and all(isinstance(v, CallSpec) for v in value):
        return [compose(session, v) for v in value]
    return _normalise(session.api.runtime_config, type_id, value)


def encode(session: Session, call: CallSpec) -> bytes:
    return bytes(compose(session, call).data.data)
