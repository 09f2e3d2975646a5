"""Turn one pydantic error into a short human message and a hint.

Why: "Input should be a valid integer, unable to parse string as an integer" and a docs URL do
not help someone fixing a policy at 3 a.m. Each error type gets a sentence that says what is
wrong with the value as written, and, where we know it, how to fix it: the allowed keys and a
close match for an unknown key, the field's own description for a missing one, the token for a
bare decimal amount. Messages from our own validators already read well; their text after the
first ``;`` becomes the hint.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from agent.model.policy import CoretimePolicy
from agent.policy.positions import BareNumber

_NAME_PATTERN = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    hint: str | None = None
    at_key: bool = False
    """Point at the key rather than the value (unknown keys)."""


def translate(error: ErrorDetails, symbol: str | None = None) -> Message:
    """The message for one error from ``ValidationError.errors()``.

    `symbol` is the policy network's token, to suggest ``'1.5 DOT'`` for a bare ``1.5``.
    """
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return Message("missing; add it", hint=_description(loc))
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if value is None:
        return Message("is empty; give it a value or remove the key", hint=_description(loc))
    if kind == "value_error":
        return _own_message(str(ctx.get("error", error["msg"])), value, symbol)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Message(f"expected a mapping of keys, got {_describe(value)}")
    if kind == "list_type":
        return Message(f"expected a list, got {_describe(value)}")
    if kind == "string_type":
        return Message(f"expected text, got {_describe(value)}")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return Message(f"expected a whole number, got {_describe(value)}")
    if kind in ("bool_type", "bool_parsing"):
        return Message(f"expected true or false, got {_describe(value)}")
    if kind in ("literal_error", "enum"):
        return _choice(str(ctx.get("expected", "")), value)
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        return Message(f"must be {word} {ctx.get(key)}, got {_describe(value)}")
    if kind == "too_long":
        return Message(f"at most {ctx.get('max_length')} entries allowed")
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _NAME_PATTERN:
            return Message(
                f"{_describe(value)} is not a valid name",
                hint="use lower-case letters, digits and '-' (at most 63), like a Kubernetes name",
            )
        return Message(f"{_describe(value)} does not match the pattern {ctx.get('pattern')}")
    return Message(error["msg"].replace("Input should be", "must be"))


_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}


def _own_message(text: str, value: Any, symbol: str | None) -> Message:
    if isinstance(value, BareNumber):
        if text.startswith("expected an amount"):
            unit = symbol or "DOT"
            return Message(
                f"{value} is a bare number, not an amount", hint=f"write '{value} {unit}'"
            )
        if text.startswith("expected a percentage"):
            return _bare_percent(value.text)
    if text.startswith("write percentages with a % sign"):
        return _bare_percent(str(value))
    message, _, hint = text.partition("; ")
    return Message(message, hint=hint or None)


def _bare_percent(text: str) -> Message:
    hint = f"write '{text}%'"
    try:
        share = Decimal(text)
    except InvalidOperation:  # pragma: no cover - YAML numbers are decimal text
        share = Decimal(0)
    if 0 < share < 1:
        # 0.05 is most likely a fraction: suggest its percentage first.
        hint = f"write '{(share * 100).normalize():f}%' (or '{text}%' if you meant that)"
    return Message(f"{text} has no % sign", hint=hint)


def _choice(expected: str, value: Any) -> Message:
    options = re.findall(r"'([^']*)'", expected)
    close = _close_match(value, options) if isinstance(value, str) else None
    hint = f"did you mean '{close}'?" if close else None
    return Message(f"must be {expected}, got {_describe(value)}", hint=hint)


def _close_match(value: str, options: Sequence[str]) -> str | None:
    """A likely intended option: similar spelling, swapped letters, or a shortened form."""
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    folded = value.lower().replace("_", "").replace("-", "")
    for option in options:
        plain = option.lower().replace("-", "")
        if sorted(plain) == sorted(folded) or (len(folded) >= 3 and plain.startswith(folded)):
            return option
    return None


def _unknown_key(loc: Sequence[str | int]) -> Message:
    key = str(loc[-1])
    allowed = allowed_keys(loc[:-1])
    if not allowed:
        return Message(f"unknown key '{key}'", at_key=True)
    close = _close_match(key, allowed)
    listed = "allowed here: " + ", ".join(allowed)
    hint = f"did you mean '{close}'? {listed}" if close else listed
    return Message(f"unknown key '{key}'", hint=hint, at_key=True)


def _describe(value: Any) -> str:
    if isinstance(value, BareNumber):
        return f"the number {value}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__  # pragma: no cover - YAML gives nothing else


# -- the policy model, walked by alias -------------------------------------------------------


def _field_at(loc: Sequence[str | int]) -> Any:
    """The annotation at `loc` (by YAML key), or None when the path leaves the model."""
    annotation: Any = CoretimePolicy
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = get_args(annotation)
            if get_origin(annotation) is not list or not args:
                return None
            annotation = args[0]
            continue
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        info = _fields_by_key(annotation).get(part)
        if info is None:
            return None
        annotation = info
    return annotation


def _fields_by_key(model: type[BaseModel]) -> dict[str, Any]:
    return {(f.alias or name): f.annotation for name, f in model.model_fields.items()}


def _unwrap(annotation: Any) -> Any:
    """Strip ``X | None`` down to ``X``."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                return _unwrap(arg)
    return annotation


def allowed_keys(loc: Sequence[str | int]) -> list[str]:
    """The keys the mapping at `loc` accepts, as written in YAML (camelCase)."""
    model = _unwrap(_field_at(loc))
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(_fields_by_key(model))
    return []


def _description(loc: Sequence[str | int]) -> str | None:
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _unwrap(_field_at(loc[:-1]))
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return None
    for name, field in parent.model_fields.items():
        if (field.alias or name) == loc[-1] and field.description:
            text = field.description.split("\n")[0].rstrip(".")
            first = text.split(" ", 1)[0]
            return text[:1].lower() + text[1:] if len(first) == 1 or not first.isupper() else text
    return None
