"""Shared fixtures: the real Coretime runtime in chopsticks (session-wide, reset per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.devnet import (
    CORETIME_SPEC,
    RELAY_SPEC,
    ChopsticksProcess,
    Devnet,
    ensure_chopsticks,
)


def _start(spec: Path, what: str, timeout: float = 60.0) -> ChopsticksProcess:
    reason = ensure_chopsticks()
    if reason is None and not spec.exists():
        reason = f"chain spec not found at {spec}"
    if reason is not None:
        pytest.skip(f"{what} tests skipped: {reason}")
    return ChopsticksProcess(spec, "Instant").start(timeout=timeout)


def _client(node: ChopsticksProcess) -> Iterator[Devnet]:
    client = Devnet(node.url)
    start = client.head()
    try:
        yield client
    finally:
        client.reset_to(start)
        client.close()


@pytest.fixture(scope="session")
def chopsticks_node() -> Iterator[ChopsticksProcess]:
    """One chopsticks node for the whole session (Instant mode), installed when missing."""
    node = _start(CORETIME_SPEC, "real-runtime")
    yield node
    node.stop()


@pytest.fixture
def devnet(chopsticks_node: ChopsticksProcess) -> Iterator[Devnet]:
    """A client on the session's chain; the chain is set back to where it was after the test."""
    yield from _client(chopsticks_node)


@pytest.fixture(scope="session")
def relay_node() -> Iterator[ChopsticksProcess]:
    """The Paseo relay runtime in chopsticks (Instant mode), started only for tests that ask."""
    node = _start(RELAY_SPEC, "relay", timeout=120.0)
    yield node
    node.stop()


@pytest.fixture
def relay_devnet(relay_node: ChopsticksProcess) -> Iterator[Devnet]:
    """A client on the session's relay chain; set back to where it was after the test."""
    yield from _client(relay_node)
