"""The migration runner: idempotent, versioned, and agreeing with `schema.py`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import UniqueConstraint, inspect

from agent.errors import LedgerError
from agent.ledger import SCHEMA_VERSION, Ledger
from agent.ledger.migrations import STEPS, schema_version
from agent.ledger.schema import metadata
from tests.ledger.ledger_helpers import NOW, make_action


def _versions(book: Ledger) -> list[int]:
    with book._db.read() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT version FROM schema_version ORDER BY 1")]


def test_steps_are_numbered_one_by_one() -> None:
    assert [s.version for s in STEPS] == list(range(1, len(STEPS) + 1))
    assert len(STEPS) == SCHEMA_VERSION


def test_opening_again_applies_nothing_and_keeps_data(ledger_url: str) -> None:
    with Ledger(ledger_url) as first:
        assert first.schema_version == SCHEMA_VERSION
        first.record_intent(make_action(), now=NOW, digest="d", admit=lambda view: None)
        assert _versions(first) == list(range(1, SCHEMA_VERSION + 1))
    for _ in range(2):
        with Ledger(ledger_url) as again:
            assert again.schema_version == SCHEMA_VERSION
            assert schema_version(again._db) == SCHEMA_VERSION
            assert _versions(again) == list(range(1, SCHEMA_VERSION + 1))
            assert [r.action_id for r in again.history()] == [make_action().id]


def test_migrated_schema_matches_schema_py(ledger: Ledger) -> None:
    """Frozen migration steps and the query-side tables must not drift apart."""
    with ledger._db.engine.connect() as conn:
        found = inspect(conn)
        assert set(found.get_table_names()) == set(metadata.tables)
        for name, table in metadata.tables.items():
            columns = {c["name"]: c for c in found.get_columns(name)}
            assert list(columns) == [c.name for c in table.columns], name
            for column in table.columns:
                assert columns[column.name]["nullable"] == column.nullable, (name, column.name)
            indexes = found.get_indexes(name)  # PostgreSQL also lists unique constraints here
            plain = {i["name"] for i in indexes if "duplicates_constraint" not in i}
            assert plain == {i.name for i in table.indexes}, name
            uniques = {u["name"] for u in found.get_unique_constraints(name)}
            assert uniques == {
                c.name for c in table.constraints if isinstance(c, UniqueConstraint)
            }, name
            pk = found.get_pk_constraint(name)["constrained_columns"]
            assert pk == [c.name for c in table.primary_key.columns], name


def test_a_newer_ledger_is_refused(ledger: Ledger, ledger_url: str) -> None:
    with ledger._db.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO schema_version (version, description, applied_at) "
            f"VALUES ({SCHEMA_VERSION + 1}, 'from the future', '{datetime.now(UTC).isoformat()}')"
        )
    with pytest.raises(LedgerError, match="newer than this agent understands"):
        Ledger(ledger_url)
