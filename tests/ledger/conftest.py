"""Ledger fixtures: every backend test runs on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.ledger import Ledger
from tests.ledger.ledger_helpers import pg_reachable, pg_schema


@pytest.fixture(scope="session")
def postgres_up() -> None:
    reason = pg_reachable()
    if reason is not None:
        print(reason)
        pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger URL: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'ledger.sqlite'}"
        return
    request.getfixturevalue("postgres_up")
    with pg_schema() as url:
        yield url


@pytest.fixture
def backend(ledger_url: str) -> str:
    return "sqlite" if ledger_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def open_ledger(ledger_url: str) -> Iterator[Callable[..., Ledger]]:
    """Opens ledgers on the test URL and closes them all at teardown."""
    opened: list[Ledger] = []

    def _open(mode: str = "live", **kwargs: object) -> Ledger:
        book = Ledger(ledger_url, mode=mode, **kwargs)  # type: ignore[arg-type]
        opened.append(book)
        return book

    yield _open
    for book in opened:
        book.close()


@pytest.fixture
def ledger(open_ledger: Callable[..., Ledger]) -> Ledger:
    return open_ledger()
