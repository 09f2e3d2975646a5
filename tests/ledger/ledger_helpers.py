"""Shared by the ledger tests and the worker processes they spawn (importable by name)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from agent.model.actions import Action, ActionKind, CallSpec, TargetChain

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def make_action(
    action_id: str = "act_000000000000000000000001",
    *,
    policy: str = "acala",
    kind: ActionKind = ActionKind.RENEW,
    max_cost: Any = 1_000,
    sale: int | None = 100,
    window: str = "sale:100",
    args: dict[str, Any] | None = None,
    expected_cost: int | None = None,
) -> Action:
    return Action(
        id=action_id,
        kind=kind,
        policy=policy,
        para_id=2000,
        network="polkadot",
        window=window,
        max_cost=max_cost,
        call=CallSpec(TargetChain.CORETIME, "Broker", "renew", args or {"core": 7}),
        reason="renewal window open",
        signer="ops-renewer",
        target={"core": 7},
        expected_cost=expected_cost,
        sale=sale,
    )


def pg_reachable() -> str | None:
    """None when the test server answers, else the reason it does not."""
    try:
        with psycopg.connect(PG_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {PG_DSN}: {str(exc).strip().splitlines()[0]}"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A throwaway schema; yields a ledger URL whose search_path points at it."""
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
