"""A small, explicit, versioned migration runner for the ledger schema.

Why: the ledger outlives agent versions, and two replicas may start at the same moment. Each
start-up runs `migrate`: in one write transaction holding the migration lock (SQLite
``BEGIN IMMEDIATE``, PostgreSQL an advisory lock), it creates ``schema_version`` if missing,
reads the highest version applied, and applies the missing numbered steps with a row each.
Both backends have transactional DDL, so a step applies fully or not at all, and a second
process waits for the first and then finds nothing to do.

Rules for new steps: never edit a released step; add the next number. A step receives the
connection and uses only its own frozen table definitions (not `schema.py`, which shows the
latest state; a test checks that the migrated schema and `schema.py` agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)

from agent.errors import LedgerError
from agent.ledger.columns import Planck, UtcDateTime
from agent.ledger.engine import Database

MIGRATION_LOCK = "schema-migrations"


def _version_table(metadata: MetaData) -> Table:
    return Table(
        "schema_version",
        metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", String(200), nullable=False),
        Column("applied_at", UtcDateTime, nullable=False),
    )


def _v1(conn: Connection) -> None:
    """Intents, per-policy spend totals and last prices paid (frozen as released)."""
    md = MetaData()
    Table(
        "intents",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("mode", String(32), nullable=False),
        Column("action_id", String(64), nullable=False),
        Column("attempt", Integer, nullable=False),
        Column("policy", String(63), nullable=False),
        Column("para_id", BigInteger, nullable=False),
        Column("network", String(64), nullable=False),
        Column("kind", String(32), nullable=False),
        Column("window", String(128), nullable=False),
        Column("sale", BigInteger, nullable=True),
        Column("signer", String(63), nullable=False),
        Column("target_json", Text, nullable=False),
        Column("call_json", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("reserved_planck", Planck, nullable=False),
        Column("expected_planck", Planck, nullable=True),
        Column("status", String(16), nullable=False),
        Column("extrinsic_hash", String(80), nullable=True),
        Column("block_hash", String(80), nullable=True),
        Column("block_number", BigInteger, nullable=True),
        Column("spent_planck", Planck, nullable=True),
        Column("fee_planck", Planck, nullable=True),
        Column("error", String(128), nullable=True),
        Column("message", String(500), nullable=False),
        Column("policy_digest", String(80), nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        UniqueConstraint("mode", "action_id", "attempt", name="uq_intents_attempt"),
        Index("ix_intents_policy_time", "mode", "policy", "created_at"),
        Index("ix_intents_time", "mode", "created_at"),
        Index("ix_intents_status", "mode", "status"),
        Index("ix_intents_sale", "mode", "policy", "sale"),
    )
    Table(
        "spend_totals",
        md,
        Column("mode", String(32), primary_key=True),
        Column("policy", String(63), primary_key=True),
        Column("sale_key", BigInteger, primary_key=True, autoincrement=False),
        Column("spent_planck", Planck, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
    )
    Table(
        "prices_paid",
        md,
        Column("mode", String(32), primary_key=True),
        Column("policy", String(63), primary_key=True),
        Column("kind", String(32), primary_key=True),
        Column("price_planck", Planck, nullable=False),
        Column("action_id", String(64), nullable=False),
        Column("paid_at", UtcDateTime, nullable=False),
    )
    md.create_all(conn, checkfirst=False)


@dataclass(frozen=True, slots=True)
class Step:
    version: int
    description: str
    apply: Callable[[Connection], None]


STEPS: tuple[Step, ...] = (Step(1, "intents, spend_totals, prices_paid", _v1),)
LATEST = STEPS[-1].version


def migrate(db: Database) -> int:
    """Apply the missing steps; return the schema version now in force. Idempotent."""
    versions = _version_table(MetaData())
    with db.write(MIGRATION_LOCK) as conn:
        versions.create(conn, checkfirst=True)
        current = conn.execute(select(func.max(versions.c.version))).scalar() or 0
        if current > LATEST:
            raise LedgerError(
                f"ledger {db.shown} has schema version {current}, newer than this agent "
                f"understands ({LATEST})",
                hint="upgrade coretime-agent; never point an older agent at a newer ledger",
            )
        for step in STEPS:
            if step.version <= current:
                continue
            step.apply(conn)
            conn.execute(
                insert(versions).values(
                    version=step.version,
                    description=step.description,
                    applied_at=datetime.now(UTC),
                )
            )
            current = step.version
    return current


def schema_version(db: Database) -> int:
    """The version in force, 0 for an empty database."""
    versions = _version_table(MetaData())
    with db.read() as conn:
        if not db.engine.dialect.has_table(conn, "schema_version"):
            return 0
        return conn.execute(select(func.max(versions.c.version))).scalar() or 0
