"""Shared fixtures: the real Coretime runtime in chopsticks (session-wide, reset per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.devnet import (
    CORETIME_SPEC,
    RELAY_SPEC,
    ChopsticksProcess,
    Devnet,
    ensure_chopsticks,
)


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


@pytest.fixture(scope="session")
def relay_node() -> Iterator[ChopsticksProcess]:
    """The Paseo relay runtime in chopsticks (Instant mode), started only for tests that ask."""
    reason = ensure_chopsticks()
    if reason is None and not RELAY_SPEC.exists():
        reason = f"relay chain spec not found at {RELAY_SPEC}"
    if reason is not None:
        pytest.skip(f"relay tests skipped: {reason}")
    node = ChopsticksProcess(RELAY_SPEC, "Instant").start(timeout=120.0)
    yield node
    node.stop()


@pytest.fixture
def relay_devnet(relay_node: ChopsticksProcess) -> Iterator[Devnet]:
    """A client on the session's relay chain; set back to where it was after the test."""
    client = Devnet(relay_node.url)
    start = client.head()
    try:
        yield client
    finally:
        client.reset_to(start)
        client.close()
