"""The database under the ledger: URLs, engines, and the two kinds of transaction it uses.

Why: the money guarantees rest on three things decided here, in one place.
- Durability: SQLite runs in WAL mode with ``synchronous=FULL`` and a busy timeout, so a commit
  that returned survives a crash or power loss, and a second process waits rather than fails.
- Serialised writers: a write transaction takes a lock that orders every writer of the same
  policy. SQLite: ``BEGIN IMMEDIATE`` (one writer for the whole file). PostgreSQL:
  ``pg_advisory_xact_lock`` on a hash of (schema, name), released at commit or rollback; reads
  after it run in READ COMMITTED, so they see everything the previous holder committed.
- Consistent reads: a read transaction sees one snapshot (SQLite deferred BEGIN in WAL mode,
  PostgreSQL REPEATABLE READ), so a view never mixes states from two commits.
Database errors become one-line `LedgerError`s, and URLs are shown without their password.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from agent.errors import LedgerError
from agent.ledger.errors import LedgerMissing

_WRITE = "coretime_ledger_write"
_URL_HINT = "use sqlite:///path/to/ledger.sqlite or postgresql+psycopg://user@host:5432/db"


def parse_url(value: str) -> URL:
    """A SQLAlchemy URL for SQLite or PostgreSQL; a bare path means a SQLite file."""
    raw = value.strip()
    if not raw:
        raise LedgerError("the ledger URL is empty", hint=_URL_HINT)
    if "://" not in raw:
        raw = "sqlite:///" + raw
    try:
        url = make_url(raw)
    except ArgumentError:
        raise LedgerError("the ledger URL is not a database URL", hint=_URL_HINT) from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if url.drivername in ("postgres", "postgresql"):
            url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise LedgerError(
            f"the ledger supports SQLite and PostgreSQL, not '{backend}'", hint=_URL_HINT
        )
    return url


def shown(url: URL) -> str:
    """The URL for messages: never with its password."""
    return url.render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(source).strip().splitlines()
    return lines[0] if lines else type(source).__name__


def _enable_wal(cursor: Any, timeout: float) -> None:
    """Switch the file to WAL. SQLite answers "locked" here without waiting (its busy handler
    is not used for this change), so two processes opening a new file at once retry, bounded."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
        if time.monotonic() > deadline:
            raise LedgerError("the SQLite ledger stayed locked; could not switch it to WAL mode")
        time.sleep(0.02)


class Database:
    """An engine and its transactions. Construction connects lazily; `open` checks reachability."""

    def __init__(self, url: str, *, create: bool = True, busy_timeout: float = 30.0) -> None:
        self.url = parse_url(url)
        self.shown = shown(self.url)
        self.dialect = "sqlite" if self.url.get_backend_name() == "sqlite" else "postgresql"
        self._schema: str | None = None
        if self.dialect == "sqlite":
            self.engine = self._sqlite_engine(create=create, busy_timeout=busy_timeout)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=2)

    # -- engines -------------------------------------------------------------------------

    def _sqlite_engine(self, *, create: bool, busy_timeout: float) -> Engine:
        database = self.url.database or ""
        in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
        if not in_memory:
            path = Path(database)
            if not path.exists():
                if not create:
                    raise LedgerMissing(self.shown)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise LedgerError(
                        f"cannot create the ledger folder {path.parent}: {exc.strerror}"
                    ) from None
        engine = create_engine(self.url, connect_args={"timeout": busy_timeout})
        timeout_ms = int(busy_timeout * 1000)

        @event.listens_for(engine, "connect")
        def _configure(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we send BEGIN ourselves, below
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            if not in_memory:
                _enable_wal(cursor, busy_timeout)
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            write = conn.get_execution_options().get(_WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn SQLAlchemy and driver errors into one-line `LedgerError`s."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise LedgerError(f"ledger {self.shown}: {_first_line(exc)}") from exc

    @contextmanager
    def write(self, *locks: str) -> Iterator[Connection]:
        """A write transaction holding the writer locks of `locks` (e.g. a policy name)."""
        with self.errors(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                for name in sorted(set(locks)):
                    self.lock(conn, name)
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction over one consistent snapshot."""
        with self.errors(), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def lock(self, conn: Connection, name: str) -> None:
        """Serialise writers of `name` until this transaction ends (SQLite: already exclusive)."""
        if self.dialect != "postgresql":
            return
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": self._lock_key(conn, name)}
        )

    def _lock_key(self, conn: Connection, name: str) -> int:
        if self._schema is None:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            if schema is None:
                raise LedgerError(
                    f"ledger {self.shown}: no schema on the search_path exists",
                    hint="create the schema or fix the search_path option",
                )
            self._schema = str(schema)
        material = f"coretime-agent/ledger\0{self._schema}\0{name}".encode()
        return int.from_bytes(hashlib.sha256(material).digest()[:8], "big", signed=True)

    def dispose(self) -> None:
        self.engine.dispose()
