"""Walking a value along its type in the runtime's type registry.

Why: a few conversions depend on the declared type, not on the Python value: an int given for a
fixed byte array (a CoreMask) must be encoded as bytes, and an `AccountId32` that scalecodec
decodes as SS58 text must become a 0x id. Both walk the value through composites, sequences and
enum variants along the registry's type definitions; only the leaf rule differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

KEEP = object()
"""A leaf rule's answer for "not mine: keep walking"."""

MAX_DEPTH = 32

LeafRule = Callable[[Mapping[str, Any], Any], Any]


def type_info(config: Any, type_id: int, prefix: str = "scale_info") -> Mapping[str, Any]:
    """The registry entry (path, params, def) of a type id, or {} if unknown."""
    cls = config.get_decoder_class(f"{prefix}::{type_id}")
    info = getattr(cls, "scale_info_type", None)
    return dict(info.value) if info is not None else {}


def walk(config: Any, type_id: int, value: Any, leaf: LeafRule, depth: int = 0) -> Any:
    """`value` with `leaf` applied wherever it answers something other than `KEEP`."""
    info = type_info(config, type_id)
    replaced = leaf(info, value)
    if replaced is not KEEP or depth > MAX_DEPTH:
        return value if replaced is KEEP else replaced
    definition = info.get("def", {})

    def inner(type_: int, item: Any) -> Any:
        return walk(config, type_, item, leaf, depth + 1)

    if "composite" in definition:
        fields = definition["composite"]["fields"]
        if len(fields) == 1 and fields[0]["name"] is None:
            return inner(fields[0]["type"], value)
        if isinstance(value, Mapping):
            types = {f["name"]: f["type"] for f in fields}
            return {k: inner(types[k], v) if k in types else v for k, v in value.items()}
    if "sequence" in definition and isinstance(value, list | tuple):
        return [inner(definition["sequence"]["type"], v) for v in value]
    if "variant" in definition and isinstance(value, Mapping) and len(value) == 1:
        name, item = next(iter(value.items()))
        for variant in definition["variant"]["variants"]:
            fields = variant["fields"]
            if variant["name"] == name and len(fields) == 1 and fields[0]["name"] is None:
                return {name: inner(fields[0]["type"], item)}
            if variant["name"] == name and isinstance(item, Mapping):
                types = {f["name"]: f["type"] for f in fields}
                return {name: {k: inner(types[k], v) if k in types else v for k, v in item.items()}}
    return value
