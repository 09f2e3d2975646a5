"""From a field path back to a line and column, and from ruamel nodes to plain data.

Why: pydantic reports ``('spec', 'budget', 'limits', 1, 'amount')``; a person needs
``acala.yaml:14:29``. The rule for where a problem points:

- a scalar value that exists: the value itself (``maxPrice: 1.5`` points at ``1.5``);
- an empty value, a mapping or a list: its key (the value may start on another line);
- an unknown key (`at_key`): the key;
- a missing key: the mapping that should hold it (its first key, or its ``{``), which is
  where the key is to be added.

Positions are 1-based. Plain data is what pydantic validates: ruamel's scalar subclasses become
plain ``str``/``int``/``bool``, dates become ISO text, and YAML floats become `BareNumber`, which
every field refuses, so that ``maxPrice: 1.5`` gets "write '1.5 DOT'" instead of a guess.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarbool import ScalarBoolean

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class BareNumber:
    """A YAML float, kept as its text: no field accepts it, and messages can quote it.

    Not a ``str`` on purpose: pydantic would read ``'2000.0'`` as the integer 2000.
    """

    text: str

    def __str__(self) -> str:
        return self.text


def format_path(loc: Sequence[str | int]) -> str:
    """``('spec', 'budget', 'limits', 1, 'amount')`` → ``spec.budget.limits[1].amount``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Locator:
    """Positions inside one document; falls back to the document start when nothing fits."""

    root: Any
    line: int
    column: int

    def position(self, loc: Sequence[str | int], *, at_key: bool = False) -> tuple[int, int]:
        node: Any = self.root
        where = _node_position(node) or (self.line, self.column)
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            child, key_pos, value_pos = _step(node, part)
            if child is _MISSING:
                return _node_position(node) or where
            if last:
                if at_key and key_pos is not None:
                    return key_pos
                if child is None or isinstance(child, CommentedMap | CommentedSeq):
                    return key_pos or value_pos or where
                return value_pos or key_pos or where
            node = child
            where = _node_position(node) or value_pos or key_pos or where
        return where


_MISSING = object()


def _step(node: Any, part: str | int) -> tuple[Any, tuple[int, int] | None, tuple[int, int] | None]:
    """The child at `part`, with its key's and its value's positions."""
    if isinstance(node, CommentedMap):
        key = _find_key(node, part)
        if key is _MISSING:
            return _MISSING, None, None
        return node[key], _lc(node.lc.key, key), _lc(node.lc.value, key)
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        pos = _lc(node.lc.item, part)
        return node[part], pos, pos
    return _MISSING, None, None


def _find_key(node: CommentedMap, part: str | int) -> Any:
    if part in node:
        return part
    for key in node:
        if str(key) == str(part):
            return key
    return _MISSING


def _lc(getter: Any, key: Any) -> tuple[int, int] | None:
    try:
        line, column = getter(key)
    except (KeyError, IndexError, TypeError):
        return None  # e.g. keys brought in by a `<<: *anchor` merge have no position
    return int(line) + 1, int(column) + 1


def _node_position(node: Any) -> tuple[int, int] | None:
    if isinstance(node, CommentedMap | CommentedSeq):
        line, column = node.lc.line, node.lc.col
        if line is not None and column is not None:
            return int(line) + 1, int(column) + 1
    return None


def to_plain(node: Any, loc: Loc = ()) -> tuple[Any, list[tuple[Loc, str]]]:
    """Convert ruamel nodes to plain data; also return values YAML allows but policies do not."""
    problems: list[tuple[Loc, str]] = []
    return _plain(node, loc, problems), problems


def _plain(node: Any, loc: Loc, problems: list[tuple[Loc, str]]) -> Any:
    if isinstance(node, Mapping):
        return {str(key): _plain(value, (*loc, str(key)), problems) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item, (*loc, i), problems) for i, item in enumerate(node)]
    if isinstance(node, bool | ScalarBoolean):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return BareNumber(repr(float(node)))
    if isinstance(node, str):
        return str(node)
    if node is None:
        return None
    if isinstance(node, datetime.date):
        return node.isoformat()
    tag = getattr(getattr(node, "tag", None), "value", None)
    problems.append((loc, f"YAML tag {tag} is not supported here" if tag else "unsupported value"))
    return None
