"""Snapshot reads do not grow with the number of paras: the same round trips for 1, 10 and 100."""

from __future__ import annotations

import pytest

from agent.chain.substrate import SubstrateChain
from agent.model.accounts import sibling_account
from agent.model.port import SnapshotRequest
from tests.support.devnet import PAS, Devnet

pytestmark = pytest.mark.chain


def test_round_trips_do_not_grow_with_paras(devnet: Devnet, chain: SubstrateChain) -> None:
    devnet.configure_broker()
    devnet.start_sales(end_price=100 * PAS, extra_cores=4)
    paras = devnet.seed_paras(100, balance=1_000 * PAS)
    chain.capabilities()  # connecting and reading capabilities happen once, before ticks

    trips = {}
    for count in (1, 10, 100):
        chosen = paras[:count]
        request = SnapshotRequest(
            para_ids=chosen,
            accounts=[sibling_account(p) for p in chosen],
            region_owners=[sibling_account(p) for p in chosen],
        )
        before = chain.rpc_methods
        snap = chain.snapshot(request)
        trips[count] = chain.last_snapshot_round_trips
        calls = chain.rpc_methods - before
        assert len(snap.potential_renewals) == 100 and len(snap.auto_renewals) == 100
        assert {r.task for r in snap.auto_renewals} == set(paras)
        assert snap.balances == {sibling_account(p): 1_000 * PAS for p in chosen}
        assert calls["state_queryStorageAt"] == 2  # fixed keys + balances; then all map values
        assert calls["state_getKeysPaged"] == 4  # renewals, workplan, workload, regions
    # finalized head; one batch of keys and first pages; one batch of map values
    assert trips == {1: 3, 10: 3, 100: 3}
