"""One actor at a time: a leader lock beside the ledger.

Why: two replicas acting on one budget would race to pay twice. With a SQLite ledger the lock is
a file lock beside the database (one host). With PostgreSQL it is a session advisory lock held on
a dedicated connection: PostgreSQL frees it the moment that connection dies, and TCP keepalives
bounded by the lease time make a silently vanished leader lose it within that time, so a standby
that keeps trying takes over.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool


class LeaderLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if free; True when this process holds it (again)."""
        ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key from a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class FileLeaderLock:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(path))

    def try_acquire(self) -> bool:
        if self._lock.is_locked:
            return True
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def still_held(self) -> bool:
        return bool(self._lock.is_locked)

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


class PostgresLeaderLock:
    def __init__(self, url: str, name: str = "coretime-agent", lease_seconds: int = 30) -> None:
        idle = max(1, lease_seconds // 3)
        self._engine: Engine = create_engine(
            make_url(url),
            poolclass=NullPool,
            connect_args={
                "keepalives": 1,
                "keepalives_idle": idle,
                "keepalives_interval": max(1, idle // 2),
                "keepalives_count": 2,
                "connect_timeout": max(2, idle),
            },
        )
        self._key = lock_key(name)
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        if self._conn is not None and self.still_held():
            return True
        self._drop()
        try:
            conn = self._engine.connect()
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
            )
            conn.commit()
        except SQLAlchemyError:
            return False
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            held = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND objid = (:k & 4294967295) "
                    "AND classid = ((:k >> 32) & 4294967295)"
                ),
                {"k": self._key},
            ).scalar()
            self._conn.commit()
        except SQLAlchemyError:
            self._drop()
            return False
        return bool(held)

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
                self._conn.commit()
            except SQLAlchemyError:
                pass
        self._drop()
        self._engine.dispose()


def leader_lock_for(ledger_url: str, state_dir: Path, lease_seconds: int) -> LeaderLock:
    url = make_url(ledger_url)
    if url.get_backend_name() == "postgresql":
        # Replicas sharing one ledger (same database and options) share one lock.
        name = "coretime-agent:" + url.set(password=None).render_as_string(hide_password=True)
        return PostgresLeaderLock(ledger_url, name=name, lease_seconds=lease_seconds)
    return FileLeaderLock(state_dir / "agent.lock")
