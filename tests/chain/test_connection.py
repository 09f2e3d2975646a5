"""Fail-over between endpoints, one-line errors when none answers, and the metadata cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agent.chain.substrate import SubstrateChain
from agent.chain.substrate.metadata_cache import MetadataCache
from agent.errors import ChainUnavailable
from agent.model.network import PASEO
from agent.model.port import SnapshotRequest
from tests.chain.faults import Forwarder, refused_url, silent_url
from tests.support.devnet import ChopsticksProcess, Devnet

pytestmark = pytest.mark.chain

REQUEST = SnapshotRequest(para_ids=[2000])


def test_a_dead_first_endpoint_falls_over_to_the_next(
    devnet: Devnet, chopsticks_node: ChopsticksProcess
) -> None:
    port = SubstrateChain(PASEO, [refused_url(), chopsticks_node.url], timeout=5.0)
    try:
        snap = port.snapshot(REQUEST)
        assert snap.coretime_block.hash == devnet.head()
    finally:
        port.close()


def test_no_endpoint_answering_is_one_line_naming_each(devnet: Devnet) -> None:
    dead = refused_url()
    with silent_url() as silent:
        port = SubstrateChain(PASEO, [dead, silent], timeout=1.0, attempts=2, backoff_seconds=0.05)
        started = time.monotonic()
        with pytest.raises(ChainUnavailable) as caught:
            port.snapshot(REQUEST)
        elapsed = time.monotonic() - started
    error = caught.value
    assert error.one_line() == (
        f"coretime chain unreachable: {dead} (connection refused), {silent} (timeout after 1s)"
    )
    assert "\n" not in str(error)
    assert error.exit_code == 3
    assert elapsed < 10  # two attempts, each bounded by the timeout; never a hang


def test_a_node_dying_mid_life_is_replaced_by_the_next(
    devnet: Devnet, chopsticks_node: ChopsticksProcess
) -> None:
    proxy = Forwarder(chopsticks_node.port)
    port = SubstrateChain(
        PASEO, [proxy.url, chopsticks_node.url], timeout=5.0, backoff_seconds=0.05
    )
    try:
        first = port.snapshot(REQUEST)
        proxy.cut()
        devnet.new_block()
        second = port.snapshot(REQUEST)  # reconnects to the second endpoint
        assert second.coretime_block.number == first.coretime_block.number + 1
        assert second.coretime_block.hash == devnet.head()
    finally:
        proxy.cut()
        port.close()


def test_metadata_is_read_from_disk_after_a_restart(
    devnet: Devnet, chopsticks_node: ChopsticksProcess, tmp_path: Path
) -> None:
    MetadataCache._decoded.clear()  # a new process: nothing decoded yet
    first = SubstrateChain(PASEO, [chopsticks_node.url], cache_dir=tmp_path)
    try:
        first.capabilities()
        assert first.rpc_methods["state_getMetadata"] == 1  # a cold start fetches it once
    finally:
        first.close()
    assert sorted(p.name.split(".", 1)[1] for p in tmp_path.iterdir()) == ["v14.scale", "v15.scale"]

    MetadataCache._decoded.clear()  # restart
    second = SubstrateChain(PASEO, [chopsticks_node.url], cache_dir=tmp_path)
    try:
        second.snapshot(REQUEST)
        assert second.rpc_methods["state_getMetadata"] == 0
        assert second.metadata_cache.disk_hits == 2  # V14 (storage, calls) and V15 (runtime APIs)
    finally:
        second.close()


@pytest.mark.chain
def test_finalized_number_follows_new_blocks(devnet: Devnet) -> None:
    from agent.chain.substrate import SubstrateChain
    from agent.model.network import PASEO

    chain = SubstrateChain(PASEO, [devnet.url])
    try:
        before = chain.finalized_number()
        devnet.new_block(count=2)
        assert chain.finalized_number() == before + 2
    finally:
        chain.close()


@pytest.mark.chain
def test_follow_finalized_reports_each_new_head(devnet: Devnet) -> None:
    import threading

    from agent.chain.substrate import SubstrateChain
    from agent.model.network import PASEO

    chain = SubstrateChain(PASEO, [devnet.url])
    seen: list[int] = []
    got_two = threading.Event()

    def on_head(number: int) -> None:
        seen.append(number)
        if len(seen) >= 3:
            got_two.set()

    follower = chain.follow_finalized(on_head)
    try:
        start = chain.finalized_number()
        for _ in range(3):
            devnet.new_block()
        assert got_two.wait(30), f"heads seen: {seen}"
        assert seen[-1] >= start + 2 and seen == sorted(seen)
    finally:
        follower.stop()
        chain.close()
    assert not follower._thread.is_alive()
