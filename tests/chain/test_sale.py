"""Snapshots across the phases of a real sale, and purchases at exactly the runtime's price.

One sale is started per module (interlude 4 relay blocks, lead-in 40); each test goes back to
that block. The expected price is computed here from the lead-in formula of protocol.md §4.3
with the snapshot's values only: the point is that the snapshot carries everything needed, and
that `submit` reports `Broker.Overpriced` by name one planck below the price.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.chain.substrate import SubstrateChain
from agent.model.outcome import ModuleError, OutcomeStatus
from agent.model.port import SnapshotRequest
from agent.planner.sale import PriceCurve, curve_for
from agent.planner.sale import sale_price as planner_sale_price
from tests.chain.conftest import broker, signer
from tests.support.devnet import PAS, ChopsticksProcess, Devnet

pytestmark = pytest.mark.chain

LEADIN = 40
BOB, CHARLIE = signer("//Bob"), signer("//Charlie")


@pytest.fixture(scope="module")
def sale_head(chopsticks_node: ChopsticksProcess) -> Iterator[str]:
    devnet = Devnet(chopsticks_node.url)
    origin = devnet.head()
    try:
        devnet.configure_broker(leadin_length=LEADIN)
        devnet.start_sales(end_price=100 * PAS, extra_cores=4)
        yield devnet.head()
    finally:
        devnet.reset_to(origin)
        devnet.close()


def test_interlude_snapshot_decodes_the_sale(
    sale_head: str, devnet: Devnet, chain: SubstrateChain
) -> None:
    bob = chain.account_of(BOB)
    snap = chain.snapshot(SnapshotRequest(para_ids=[2000], accounts=[bob]))

    assert snap.coretime_block.hash == devnet.head()
    assert snap.coretime_block.number == devnet.api.get_block_number(devnet.head())
    assert snap.relay_block_number == devnet.relay_number()
    raw = devnet.sale_info()
    assert snap.sale is not None
    assert {f: getattr(snap.sale, f) for f in raw} == raw
    assert snap.sale.end_price == 500 * PAS  # this runtime's adapter fixes the first end price
    assert snap.config is not None and snap.config.leadin_length == LEADIN
    assert snap.config.renewal_bump == 30_000_000 and snap.config.limit_cores_offered is None
    assert snap.status is not None and snap.status.core_count == 4
    assert snap.now_in_sale_units < snap.sale.sale_start  # the interlude
    assert snap.balances[bob] == devnet.free_balance(bob)
    assert snap.existential_deposit > 0
    assert snap.capabilities.renewals_storage == "PotentialRenewals"


def test_purchase_in_the_interlude_fails_too_early_by_name(
    sale_head: str, devnet: Devnet, chain: SubstrateChain
) -> None:
    preflight = chain.preflight(broker("purchase", price_limit=10**15), BOB)
    assert not preflight.ok
    assert preflight.error == ModuleError(
        "Broker", "TooEarly", preflight.error.docs if preflight.error else ""
    )
    assert preflight.partial_fee > 0 and preflight.weight_ref_time > 0

    outcome = chain.submit(broker("purchase", price_limit=10**15), BOB)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.error is not None and str(outcome.error) == "Broker.TooEarly"
    assert outcome.spent == 0 and outcome.fee > 0
    assert outcome.block_number is not None and outcome.extrinsic_hash is not None


@pytest.mark.parametrize("into_sale", [2, 11, 20, 27, 39, 50], ids=lambda n: f"sale_start+{n}")
def test_purchase_at_the_runtime_price_and_one_planck_below(
    sale_head: str, devnet: Devnet, chain: SubstrateChain, into_sale: int
) -> None:
    sale_start = devnet.sale_info()["sale_start"]
    devnet.new_block(relay_number=sale_start + into_sale - 2)  # the purchase lands 2 later
    snap = chain.snapshot(SnapshotRequest(para_ids=[2000]))
    assert snap.sale is not None
    assert snap.relay_block_number == sale_start + into_sale - 2
    assert curve_for(snap.capabilities) is PriceCurve.CENTER_TARGET
    price = planner_sale_price(snap.sale, snap.relay_block_number + 2, curve_for(snap.capabilities))
    if into_sale < LEADIN:
        assert price > snap.sale.end_price  # still falling through the lead-in
    else:
        assert price == snap.sale.end_price  # the fixed-price phase
    before = devnet.head()

    over = chain.submit(broker("purchase", price_limit=price - 1), BOB)
    assert over.status is OutcomeStatus.FAILED
    assert over.error is not None and (over.error.pallet, over.error.name) == (
        "Broker",
        "Overpriced",
    )

    devnet.reset_to(before)
    charlie = chain.account_of(CHARLIE)
    bought = chain.submit(broker("purchase", price_limit=price), CHARLIE)
    assert bought.status is OutcomeStatus.INCLUDED, bought.message
    assert bought.spent == price
    purchased = [e for e in bought.events if (e.pallet, e.name) == ("Broker", "Purchased")]
    assert purchased and purchased[0].attributes["who"] == charlie

    after = chain.snapshot(SnapshotRequest(para_ids=[2000], region_owners=[charlie]))
    assert after.sale is not None and after.sale.cores_sold == 1
    (region,) = after.regions
    assert (region.begin, region.end, region.paid) == (
        snap.sale.region_begin,
        snap.sale.region_end,
        price,
    )
    assert region.mask == (1 << 80) - 1 and region.owner == charlie
