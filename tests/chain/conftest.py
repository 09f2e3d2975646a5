"""Fixtures for the chain layer: a `SubstrateChain` on the session's chopsticks, and shared helpers.

The chain is built per test (it keeps a nonce per signer, and the devnet is reset after every
test); metadata is cached on disk for the session, so building one costs no refetch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from agent.chain.substrate import SubstrateChain
from agent.model.actions import CallSpec, TargetChain
from agent.model.network import PASEO
from agent.model.port import SignerSpec
from tests.support.devnet import ChopsticksProcess, Devnet


def signer(uri: str) -> SignerSpec:
    return SignerSpec(uri.strip("/").lower(), SecretStr(uri))


def broker(function: str, **args: object) -> CallSpec:
    return CallSpec(TargetChain.CORETIME, "Broker", function, args)


@pytest.fixture(scope="session")
def metadata_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("metadata")


@pytest.fixture
def chain(
    devnet: Devnet, chopsticks_node: ChopsticksProcess, metadata_dir: Path
) -> Iterator[SubstrateChain]:
    port = SubstrateChain(PASEO, [chopsticks_node.url], timeout=30.0, cache_dir=metadata_dir)
    try:
        yield port
    finally:
        port.close()
