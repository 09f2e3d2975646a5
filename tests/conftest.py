"""Shared fixtures: the real Coretime runtime in chopsticks (session-wide, reset per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.devnet import CORETIME_SPEC, ChopsticksProcess, Devnet, ensure_chopsticks


@pytest.fixture(scope="session")
def chopsticks_node() -> Iterator[ChopsticksProcess]:
    """One chopsticks node for the whole session (Instant mode), installed when missing."""
    reason = ensure_chopsticks()
    if reason is not None:
        pytest.skip(f"real-runtime tests skipped: {reason}")
    node = ChopsticksProcess(CORETIME_SPEC, "Instant").start()
    yield node
    node.stop()


@pytest.fixture
def devnet(chopsticks_node: ChopsticksProcess) -> Iterator[Devnet]:
    """A client on the session's chain; the chain is set back to where it was after the test."""
    client = Devnet(chopsticks_node.url)
    start = client.head()
    try:
        yield client
    finally:
        client.reset_to(start)
        client.close()
