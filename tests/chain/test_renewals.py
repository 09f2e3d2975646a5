"""Renewal rights, manual renewal, auto-renewal through Sudo.sudo_as, and proxied renewal.

The module builds one state through `SubstrateChain` itself: Bob and Dave each buy a core at the
fixed price and assign it `Final` (to paras 2000 and 2001); that block is `assigned`. The sale
then rotates into the next interlude, where renewal is allowed; that block is `rotated`. Each
test starts from one of the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from agent.chain.substrate import SubstrateChain
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import AutoRenewal, Region
from agent.model.network import PASEO
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.port import ProxySpec, SignerSpec, SnapshotRequest
from tests.chain.conftest import broker, signer
from tests.support.devnet import PAS, ChopsticksProcess, Devnet

pytestmark = pytest.mark.chain

ALICE, BOB, DAVE, EVE = signer("//Alice"), signer("//Bob"), signer("//Dave"), signer("//Eve")
BUMP = 30_000_000  # renewal_bump of the harness configuration: 3% in Perbill


@dataclass(frozen=True)
class Renewable:
    assigned: str
    rotated: str
    bob_region: Region
    dave_region: Region


def ok(outcome: SubmissionOutcome) -> SubmissionOutcome:
    assert outcome.status is OutcomeStatus.INCLUDED, f"{outcome.status}: {outcome.message}"
    return outcome


def assign(region: Region, task: int) -> CallSpec:
    region_id = {"begin": region.begin, "core": region.core, "mask": region.mask}
    return broker("assign", region_id=region_id, task=task, finality="Final")


@pytest.fixture(scope="module")
def renewable(
    chopsticks_node: ChopsticksProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Renewable]:
    devnet = Devnet(chopsticks_node.url)
    port = SubstrateChain(PASEO, [chopsticks_node.url], cache_dir=tmp_path_factory.mktemp("md"))
    origin = devnet.head()
    try:
        devnet.configure_broker()
        devnet.start_sales(end_price=100 * PAS, extra_cores=4)
        sale = devnet.sale_info()
        devnet.new_block(relay_number=sale["sale_start"] + sale["leadin_length"] + 2)
        bob, dave = port.account_of(BOB), port.account_of(DAVE)
        ok(port.submit(broker("purchase", price_limit=1_000 * PAS), BOB))
        ok(port.submit(broker("purchase", price_limit=1_000 * PAS), DAVE))
        snap = port.snapshot(SnapshotRequest(para_ids=[2000, 2001], region_owners=[bob, dave]))
        regions = {r.owner: r for r in snap.regions}
        ok(port.submit(assign(regions[bob], 2000), BOB))
        ok(port.submit(assign(regions[dave], 2001), DAVE))
        assigned = devnet.head()
        devnet.rotate_sale()
        yield Renewable(assigned, devnet.head(), regions[bob], regions[dave])
    finally:
        port.close()
        devnet.reset_to(origin)
        devnet.close()


def test_assign_final_makes_the_renewal_visible(
    renewable: Renewable, devnet: Devnet, chain: SubstrateChain
) -> None:
    devnet.reset_to(renewable.assigned)
    bob = chain.account_of(BOB)
    snap = chain.snapshot(SnapshotRequest(para_ids=[2000, 2001], region_owners=[bob]))
    assert snap.sale is not None
    by_core = {r.core: r for r in snap.potential_renewals}
    for region, task in ((renewable.bob_region, 2000), (renewable.dave_region, 2001)):
        renewal = by_core[region.core]
        assert renewal.when == snap.sale.region_end == region.end
        assert renewal.price == region.paid == snap.sale.end_price
        assert renewal.complete and renewal.tasks == {task}
        assert snap.workplan[(region.begin, region.core)][0].task == task
    assert snap.regions == ()  # assigned Final: the region itself is used up


def test_renew_in_the_next_interlude(
    renewable: Renewable, devnet: Devnet, chain: SubstrateChain
) -> None:
    devnet.reset_to(renewable.rotated)
    snap = chain.snapshot(SnapshotRequest(para_ids=[2000]))
    assert snap.sale is not None and snap.now_in_sale_units < snap.sale.sale_start  # interlude
    core = renewable.bob_region.core
    (renewal,) = [r for r in snap.potential_renewals if r.core == core]
    assert renewal.when == snap.sale.region_begin  # renewable in this sale

    outcome = ok(chain.submit(broker("renew", core=core), BOB))
    assert outcome.spent == renewal.price
    (renewed,) = [e for e in outcome.events if (e.pallet, e.name) == ("Broker", "Renewed")]
    assert renewed.attributes["who"] == chain.account_of(BOB)

    after = chain.snapshot(SnapshotRequest(para_ids=[2000]))
    assert after.sale is not None
    (nxt,) = [r for r in after.potential_renewals if 2000 in r.tasks]
    assert nxt.when == after.sale.region_end
    assert nxt.price == renewal.price + renewal.price * BUMP // 10**9  # interlude: old * (1 + bump)


def test_auto_renew_enabled_through_sudo_as(
    renewable: Renewable, devnet: Devnet, chain: SubstrateChain
) -> None:
    devnet.reset_to(renewable.assigned)
    region = renewable.bob_region
    sibling = sibling_account(2000)
    devnet.fund(sibling, 10_000 * PAS)

    def sudo_as_sibling(call: CallSpec) -> SubmissionOutcome:
        return chain.submit(
            CallSpec(TargetChain.CORETIME, "Sudo", "sudo_as", {"who": sibling, "call": call}), ALICE
        )

    refused = sudo_as_sibling(
        broker("enable_auto_renew", core=region.core, task=2000, workload_end_hint=region.begin)
    )
    assert refused.status is OutcomeStatus.FAILED  # no renewal right ends at region.begin
    assert refused.error is not None and str(refused.error) == "Broker.NotAllowed"

    ok(
        sudo_as_sibling(
            broker("enable_auto_renew", core=region.core, task=2000, workload_end_hint=region.end)
        )
    )
    snap = chain.snapshot(SnapshotRequest(para_ids=[2000], accounts=[sibling]))
    assert snap.auto_renewals == (
        AutoRenewal(core=region.core, task=2000, next_renewal=region.end),
    )
    funded = snap.balances[sibling]

    events = devnet.rotate_sale()  # the auto-renewal fires right after the rotation
    assert any(e[:2] == ("Broker", "Renewed") for e in events)
    after = chain.snapshot(SnapshotRequest(para_ids=[2000], accounts=[sibling]))
    assert after.sale is not None
    (record,) = after.auto_renewals
    assert (record.task, record.next_renewal) == (2000, after.sale.region_end)
    assert after.balances[sibling] == funded - region.paid  # paid from the sibling account


def test_proxied_renewal_works_and_a_filtered_call_fails_by_name(
    renewable: Renewable, devnet: Devnet, chain: SubstrateChain
) -> None:
    devnet.reset_to(renewable.rotated)
    dave = chain.account_of(DAVE)
    eve_key = chain.account_of(EVE)
    ok(
        chain.submit(
            CallSpec(
                TargetChain.CORETIME,
                "Proxy",
                "add_proxy",
                {"delegate": eve_key, "proxy_type": "CoretimeRenewer", "delay": 0},
            ),
            DAVE,
        )
    )
    renewer = SignerSpec(
        "eve-for-dave", EVE.secret, proxy=ProxySpec(real=dave, proxy_type="CoretimeRenewer")
    )
    assert chain.account_of(renewer) == dave  # the proxied account pays

    check = chain.preflight(broker("purchase", price_limit=1_000 * PAS), renewer)
    assert not check.ok and check.error is not None and str(check.error) == "System.CallFiltered"

    filtered = chain.submit(broker("purchase", price_limit=1_000 * PAS), renewer)
    assert filtered.status is OutcomeStatus.FAILED
    assert filtered.error is not None and str(filtered.error) == "System.CallFiltered"
    assert any((e.pallet, e.name) == ("Proxy", "ProxyExecuted") for e in filtered.events)
    assert filtered.spent == 0

    snap = chain.snapshot(SnapshotRequest(para_ids=[2001]))
    (renewal,) = [r for r in snap.potential_renewals if r.core == renewable.dave_region.core]
    assert chain.preflight(broker("renew", core=renewal.core), renewer).ok
    renewed = ok(chain.submit(broker("renew", core=renewal.core), renewer))
    assert renewed.spent == renewal.price
    (event,) = [e for e in renewed.events if (e.pallet, e.name) == ("Broker", "Renewed")]
    assert event.attributes["who"] == dave
    assert renewed.fee > 0  # the proxy (Eve) paid the transaction fee
