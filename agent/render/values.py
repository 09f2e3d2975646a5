"""Checks for the leaves of an XCM value: integers of a width, hex bytes, one-key variants.

Why: a template is user-editable text, so every amount, weight and id it produces is checked to be
a real integer in range (never a string, float or bool) before anything is encoded. Each failure
names the field path, e.g. ``V4[2].Transact.require_weight_at_most.ref_time``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_HEX = re.compile(r"^0x(?:[0-9a-fA-F]{2})*$")


class ShapeError(ValueError):
    """A rendered value that is not valid XCM; `path` says where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def describe(value: Any) -> str:
    """A short, safe description of a wrong value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {text!r}"
    if isinstance(value, float):
        return f"the number {value!r} (not an integer)"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def uint(value: Any, path: str, bits: int) -> int:
    """An unsigned integer that fits ``bits`` bits; strings, floats and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(path, f"expected an integer (u{bits}), got {describe(value)}")
    if not 0 <= value < 2**bits:
        raise ShapeError(path, f"{value} does not fit in a u{bits}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ShapeError(path, f"expected true or false, got {describe(value)}")
    return value


def hex_bytes(value: Any, path: str, length: int | None = None) -> str:
    """``0x``-prefixed hex of whole bytes, optionally of an exact length."""
    if not isinstance(value, str) or not _HEX.match(value):
        raise ShapeError(path, f"expected 0x-prefixed hex bytes, got {describe(value)}")
    if length is not None and len(value) != 2 + 2 * length:
        raise ShapeError(path, f"expected {length} bytes, got {(len(value) - 2) // 2}")
    return value.lower()


def seq(value: Any, path: str, *, min_len: int = 0, max_len: int | None = None) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ShapeError(path, f"expected a list, got {describe(value)}")
    items = list(value)
    if len(items) < min_len:
        raise ShapeError(path, f"expected at least {min_len} item(s), got {len(items)}")
    if max_len is not None and len(items) > max_len:
        raise ShapeError(path, f"expected at most {max_len} item(s), got {len(items)}")
    return items


UNIT = object()
"""Marks a variant written as a bare name (``"RefundSurplus"``): it has no payload."""


def variant(value: Any, path: str, what: str) -> tuple[str, Any]:
    """Split ``"Name"`` or ``{"Name": payload}`` into (name, payload); a bare name has `UNIT`."""
    if isinstance(value, str):
        return value, UNIT
    if isinstance(value, Mapping) and len(value) == 1:
        ((name, payload),) = value.items()
        if isinstance(name, str):
            return name, payload
    raise ShapeError(
        path, f"expected {what}: a name or an object with one key, got {describe(value)}"
    )


def is_unit(payload: Any) -> bool:
    return payload is UNIT or payload is None


def fields(value: Any, path: str, names: Sequence[str]) -> dict[str, Any]:
    """An object with exactly these keys (each required; no others)."""
    if not isinstance(value, Mapping):
        raise ShapeError(path, f"expected an object with {', '.join(names)}, got {describe(value)}")
    for key in value:
        if key not in names:
            raise ShapeError(f"{path}.{key}", f"unknown field; expected {', '.join(names)}")
    for name in names:
        if name not in value:
            raise ShapeError(f"{path}.{name}", "missing field")
    return dict(value)


def choice(value: Any, path: str, options: Sequence[str]) -> str:
    """A unit variant out of a fixed set, written as its name (or ``{"Name": null}``)."""
    name, payload = variant(value, path, "one of " + ", ".join(options))
    if name not in options or not is_unit(payload):
        raise ShapeError(path, f"expected one of {', '.join(options)}, got {describe(value)}")
    return name
