"""Reading XCM programs and locations as substrate-interface spells them (plain dicts).

Why: both the parachain side (is this `send` aimed at the Coretime chain?) and the Coretime side
(what does the program do?) need the same lenient reading of v3/v4/v5 shapes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from agent.chain.sandbox.dispatch import DispatchFailure


def descended_account(para_id: int, who: str) -> str:
    """The account a signed origin inside a para maps to (stands in for `HashedDescription`)."""
    digest = hashlib.blake2b(f"descend:{para_id}:{who}".encode(), digest_size=32)
    return "0x" + digest.hexdigest()


def destination_para(dest: Any) -> int | None:
    """The ``Parachain`` junction of a (versioned) location, if any."""
    if isinstance(dest, Mapping):
        if "Parachain" in dest:
            value = dest["Parachain"]
            return value if isinstance(value, int) else None
        for item in dest.values():
            found = destination_para(item)
            if found is not None:
                return found
    if isinstance(dest, (list, tuple)):
        for item in dest:
            found = destination_para(item)
            if found is not None:
                return found
    return None


def instructions(message: Any) -> list[tuple[str, Any]]:
    """A `VersionedXcm` (``{"V4": [...]}`` or ``{"V4": [[...]]}``) or a bare list, as pairs."""
    if isinstance(message, Mapping) and len(message) == 1:
        version = next(iter(message))
        if str(version).upper() in ("V3", "V4", "V5"):
            message = message[version]
    if (
        isinstance(message, (list, tuple))
        and len(message) == 1
        and isinstance(message[0], (list, tuple))
    ):
        # `RenderedProgram.message` (substrate-interface's compose_call shape) wraps the
        # instruction list in one more list, the `Xcm` newtype; the readable form does not.
        message = message[0]
    if not isinstance(message, (list, tuple)):
        raise DispatchFailure("PolkadotXcm", "BadVersion", "Not a versioned XCM program.")
    program = []
    for item in message:
        if isinstance(item, str):
            program.append((item, None))
        elif isinstance(item, Mapping) and len(item) == 1:
            name = next(iter(item))
            program.append((str(name), item[name]))
        else:
            raise DispatchFailure("PolkadotXcm", "BadVersion", f"Not an instruction: {item!r}")
    return program


def fungible(value: Any) -> int:
    """The total of the ``Fungible`` amounts in an asset or a list of assets."""
    if isinstance(value, Mapping):
        if "Fungible" in value and isinstance(value["Fungible"], int):
            return int(value["Fungible"])
        return sum(fungible(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(fungible(v) for v in value)
    return 0


def destination_account(body: Any) -> str | None:
    """The ``AccountId32`` id in a junction, if any."""
    if isinstance(body, Mapping):
        if "AccountId32" in body:
            inner = body["AccountId32"]
            account = inner.get("id") if isinstance(inner, Mapping) else inner
            return str(account) if account is not None else None
        for item in body.values():
            found = destination_account(item)
            if found:
                return found
    if isinstance(body, (list, tuple)):
        for item in body:
            found = destination_account(item)
            if found:
                return found
    return None
