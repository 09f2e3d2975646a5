"""Column types that keep money exact and time in UTC on both backends, and the JSON codec.

Why: a Balance is a u128. PostgreSQL's NUMERIC(39,0) holds it exactly, but SQLite stores a
NUMERIC above 2**63 as a REAL (a float), so on SQLite planck is kept as decimal text. Either
way Python sees an `int`, and a float or an out-of-range value is refused before it reaches the
database. Times are bound as aware UTC datetimes and come back aware (SQLite has no time zones).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from agent.errors import LedgerError
from agent.model.money import MAX_PLANCK


def check_planck(value: object, what: str = "amount") -> int:
    """An exact u128 or a `LedgerError`: no floats, no booleans, no negatives."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise LedgerError(f"{what} must be an integer of planck, got {type(value).__name__}")
    if not 0 <= value <= MAX_PLANCK:
        raise LedgerError(f"{what} {value} is outside a u128 balance (0 to 2**128-1)")
    return value


class Planck(TypeDecorator[int]):
    """A u128 amount: NUMERIC(39,0) on PostgreSQL, decimal text on SQLite; `int` in Python."""

    impl = Numeric(39, 0, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(39))
        return dialect.type_descriptor(Numeric(39, 0, asdecimal=True))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        planck = check_planck(value)
        return str(planck) if dialect.name == "sqlite" else Decimal(planck)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):  # pragma: no cover - would mean a corrupted column
            raise LedgerError("the ledger returned a float for an amount; refusing to use it")
        if isinstance(value, Decimal):
            if value != value.to_integral_value():
                raise LedgerError(f"the ledger holds a fractional amount {value}")
            return int(value)
        return int(value)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC (naive UTC text on SQLite, timestamptz on PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = require_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def require_utc(value: object, what: str = "now") -> datetime:
    """An aware datetime converted to UTC; naive times are refused (whose clock would they be?)."""
    if not isinstance(value, datetime):
        raise LedgerError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise LedgerError(f"{what} must be timezone-aware (UTC), got {value.isoformat()}")
    return value.astimezone(UTC)


def _json_default(value: object) -> Any:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise LedgerError(
        f"cannot record a value of type {type(value).__name__} in the ledger",
        hint="call arguments and targets must be plain data (no keys or secrets)",
    )


def dump_json(value: Any) -> str:
    """Canonical JSON (sorted keys, no floats allowed) for targets and calls."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise LedgerError("refusing to record a float; amounts are integer planck")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_floats(item)


def load_json(text: str | None) -> Any:
    return json.loads(text) if text else {}
