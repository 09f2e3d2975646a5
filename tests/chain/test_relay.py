"""The relay side: on-demand inputs, para lifecycles and balances in the snapshot; an order.

Runs the Paseo relay runtime in a second chopsticks (about 1.5 s per block), next to the
Coretime chain, as `SubstrateChain` would see both in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.chain.substrate import SubstrateChain
from agent.model.actions import CallSpec, TargetChain
from agent.model.network import PASEO
from agent.model.outcome import OutcomeStatus
from agent.model.port import SnapshotRequest
from tests.chain.conftest import signer
from tests.support.devnet import PAS, ChopsticksProcess, Devnet

pytestmark = pytest.mark.chain

ALICE = signer("//Alice")


@pytest.fixture
def both(
    devnet: Devnet,
    chopsticks_node: ChopsticksProcess,
    relay_devnet: Devnet,
    relay_node: ChopsticksProcess,
    metadata_dir: Path,
) -> Iterator[SubstrateChain]:
    relay_devnet.fund(relay_devnet.alice.ss58_address, 1_000 * PAS)
    relay_devnet.set_storage({"Paras": {"ParaLifecycles": [[[2000], "Parathread"]]}})
    relay_devnet.new_block()  # on_initialize sets the traffic (storage holds 0 at genesis)
    port = SubstrateChain(PASEO, [chopsticks_node.url], [relay_node.url], cache_dir=metadata_dir)
    try:
        yield port
    finally:
        port.close()


def test_snapshot_reads_the_relay_at_its_own_block(
    both: SubstrateChain, relay_devnet: Devnet
) -> None:
    alice = both.account_of(ALICE)
    caps = both.capabilities()
    assert (caps.on_demand_pallet, caps.on_demand_storage) == ("OnDemand", "OrderStatus")

    snap = both.snapshot(SnapshotRequest(para_ids=[2000, 2001], relay_accounts=[alice]))
    assert snap.relay_block is not None and snap.relay_block.hash == relay_devnet.head()
    config = relay_devnet.api.query("Configuration", "ActiveConfig").value["scheduler_params"]
    assert snap.on_demand is not None
    status = relay_devnet.api.query("OnDemand", "OrderStatus", block_hash=snap.relay_block.hash)
    assert snap.on_demand.traffic == status.value["traffic"] == 10**18  # FixedU128 1.0, the floor
    assert snap.on_demand.base_fee == config["on_demand_base_fee"]
    assert snap.on_demand.max_queue_size == config["on_demand_queue_max_size"]
    assert snap.on_demand.spot_price == config["on_demand_base_fee"]
    assert snap.on_demand.queue_size == 0
    assert snap.paras[2000].lifecycle == "Parathread"
    assert snap.paras[2001].lifecycle is None  # not registered on this relay
    assert snap.relay_balances == {alice: 1_000 * PAS}
    assert both.last_snapshot_round_trips == 4  # two per chain: its finalized head, then one read


def test_an_on_demand_order_is_paid_at_the_spot_price(both: SubstrateChain) -> None:
    alice = both.account_of(ALICE)
    before = both.snapshot(SnapshotRequest(para_ids=[2000], relay_accounts=[alice]))
    assert before.on_demand is not None
    order = CallSpec(
        TargetChain.RELAY,
        "OnDemand",
        "place_order_allow_death",
        {"max_amount": PAS, "para_id": 2000},
    )
    outcome = both.submit(order, ALICE)
    assert outcome.status is OutcomeStatus.INCLUDED, outcome.message
    assert outcome.spent == before.on_demand.spot_price
    after = both.snapshot(SnapshotRequest(para_ids=[2000], relay_accounts=[alice]))
    assert after.on_demand is not None and after.on_demand.queued_paras == (2000,)
    assert after.relay_balances[alice] == before.relay_balances[alice] - outcome.spent - outcome.fee
