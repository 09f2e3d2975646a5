"""The sandbox's call encoding: deterministic bytes that are NOT SCALE.

Why: `ChainPort.encode` must give stable bytes (the ledger stores them; a template test compares
them), but the sandbox has no metadata to encode SCALE with. It writes ``SBX1`` followed by the
call as canonical JSON (sorted keys, no spaces; bytes as ``0x`` hex). The same bytes can be
decoded again, which is how an XCM `Transact` carrying an encoded call reaches the sandbox's
Coretime chain. Real SCALE bytes are refused with a clear message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

from agent.errors import ChainIncompatible
from agent.model.actions import CallSpec, TargetChain

MAGIC = b"SBX1"


def _plain(value: Any) -> Any:
    if isinstance(value, CallSpec):
        return {
            "chain": value.chain.value,
            "pallet": value.pallet,
            "function": value.function,
            "args": _plain(dict(value.args)),
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise ChainIncompatible(f"cannot encode a {type(value).__name__} in a call argument")


def encode_call(call: CallSpec) -> bytes:
    return MAGIC + json.dumps(_plain(call), sort_keys=True, separators=(",", ":")).encode()


def decode_call(data: bytes | str, chain: TargetChain | None = None) -> CallSpec:
    """The call back from `encode_call` bytes (or their ``0x`` hex)."""
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else data
    if not isinstance(raw, bytes) or not raw.startswith(MAGIC):
        raise ChainIncompatible(
            "the sandbox cannot decode this call: it is not sandbox-encoded (real SCALE bytes "
            "need a real runtime)"
        )
    try:
        plain = json.loads(raw[len(MAGIC) :])
        target = TargetChain(plain["chain"]) if chain is None else chain
        return CallSpec(target, plain["pallet"], plain["function"], plain["args"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ChainIncompatible(f"a sandbox-encoded call is damaged: {exc}") from None
