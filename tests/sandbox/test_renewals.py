"""Renewal rights, renewals, auto-renewals at rotation, and leases."""

from __future__ import annotations

import pytest

from agent.chain.sandbox import SandboxChain
from agent.chain.sandbox.fixed import perbill_mul
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec
from agent.model.chain import COMPLETE_MASK
from tests.sandbox.helpers import (
    HUGE,
    PAS,
    broker,
    buy_and_assign,
    find,
    named,
    ok,
    paseo_chain,
    rotate,
    signer,
    started,
    sudo,
    sudo_as,
    to_fixed_price,
)

BOB = signer("//Bob")
ALICE = signer("//Alice")
END = 500 * PAS


def test_assign_final_grants_a_renewal_right_at_the_paid_price() -> None:
    chain = started()
    to_fixed_price(chain)
    region = buy_and_assign(chain, "//Bob", 2000)
    events = chain.block_events()
    assert named(events) == ["Renewable", "Assigned"]
    renewable = find(events, "Renewable").attributes
    assert renewable == {
        "core": 0,
        "price": END,
        "begin": region["begin"] + 3,
        "workload": [{"mask": "0x" + "ff" * 10, "assignment": {"Task": 2000}}],
    }
    record = chain.world.broker.renewals[(0, region["begin"] + 3)]
    assert record.complete and record.price == END and record.mask == COMPLETE_MASK


@pytest.mark.parametrize("how", ["provisional", "late", "partitioned"])
def test_ways_to_lose_the_renewal_right(how: str) -> None:
    chain = started()
    to_fixed_price(chain)
    bought = ok(chain.submit(broker("purchase", price_limit=HUGE), BOB))
    region = find(bought.events, "Purchased").attributes["region_id"]
    if how == "late":
        rotate(chain)  # the region has begun: assigning it now shortens it
    if how == "partitioned":
        ok(chain.submit(broker("partition", region_id=region, pivot=1), BOB))
    finality = "Provisional" if how == "provisional" else "Final"
    outcome = ok(
        chain.submit(broker("assign", region_id=region, task=2000, finality=finality), BOB)
    )
    assert "Renewable" not in named(outcome.events)
    assert "Assigned" in named(outcome.events)
    assert not chain.world.broker.renewals


def test_renew_in_the_interlude_and_the_next_price() -> None:
    chain = started()
    to_fixed_price(chain)
    buy_and_assign(chain, "//Bob", 2000)
    rotate(chain)
    outcome = ok(chain.submit(broker("renew", core=0), signer("//Charlie")))  # anyone may pay
    renewed = find(outcome.events, "Renewed").attributes
    assert renewed["price"] == END and renewed["who"] == chain.account("//Charlie")
    assert outcome.spent == END
    next_price = find(outcome.events, "Renewable").attributes["price"]
    assert next_price == END + perbill_mul(30_000_000, END)


def test_a_late_renewal_stores_at_most_the_current_price() -> None:
    chain = started()
    sale = chain.world.broker.sale
    assert sale is not None
    chain.advance_to(sale.sale_start + 1)
    region = buy_and_assign(chain, "//Bob", 2000)  # paid a lead-in price, far above 500
    rotate(chain)
    to_fixed_price(chain)
    outcome = ok(chain.submit(broker("renew", core=region["core"]), BOB))
    assert find(outcome.events, "Renewable").attributes["price"] == END


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("no right", "NotAllowed"),
        ("wrong sale", "NotAllowed"),
        ("sold out", "SoldOut"),
    ],
)
def test_renew_errors(setup: str, error: str) -> None:
    chain = started(extra_cores=2)
    to_fixed_price(chain)
    buy_and_assign(chain, "//Bob", 2000)
    if setup != "wrong sale":  # the right is for the next sale, not this one
        rotate(chain)
    if setup == "sold out":  # renewing after the interlude competes with purchases
        to_fixed_price(chain)
        ok(chain.submit(broker("purchase", price_limit=HUGE), signer("//Dave")))
        ok(chain.submit(broker("purchase", price_limit=HUGE), signer("//Eve")))
    core = 1 if setup == "no right" else 0
    outcome = chain.submit(broker("renew", core=core), BOB)
    assert outcome.error is not None and outcome.error.name == error


def _auto_chain(*, keeps_old_core: bool = False) -> SandboxChain:
    chain = started(chain=paseo_chain(auto_renew_keeps_old_core=keeps_old_core))
    to_fixed_price(chain)
    buy_and_assign(chain, "//Bob", 2000)
    buy_and_assign(chain, "//Charlie", 2001)
    rotate(chain)
    return chain


def enable(core: int, task: int, hint: int | None = None) -> CallSpec:
    return broker("enable_auto_renew", core=core, task=task, workload_end_hint=hint)


@pytest.mark.parametrize(
    ("origin", "core", "hint", "error"),
    [
        ("stranger", 0, None, "NoPermission"),
        ("other para", 0, None, "NoPermission"),
        ("sibling", 3, None, "NotAllowed"),
        ("sibling", 0, 999, None),  # renewable now: the hint is not needed
        ("sibling", 0, None, None),
    ],
)
def test_enable_auto_renew_origin_and_rights(
    origin: str, core: int, hint: int | None, error: str | None
) -> None:
    chain = _auto_chain()
    call = enable(core, 2000, hint)
    if origin == "stranger":
        outcome = chain.submit(call, BOB)
    else:
        para = 2000 if origin == "sibling" else 2001
        chain.set_balance(sibling_account(para), 10**15)
        outcome = chain.submit(sudo_as(sibling_account(para), call), ALICE)
    assert (outcome.error.name if outcome.error else None) == error
    if error is None:
        assert named(outcome.events) == ["Renewed", "Renewable", "AutoRenewalEnabled"]


def test_auto_renewal_at_rotation_then_failure_when_the_sibling_is_short() -> None:
    chain = _auto_chain()
    sib = sibling_account(2000)
    chain.set_balance(sib, 10**15)
    ok(chain.submit(broker("renew", core=0), BOB))  # renewed by hand: record for the next sale
    assert chain.world.broker.sale is not None
    when = chain.world.broker.sale.region_end
    ok(chain.submit(sudo_as(sib, enable(0, 2000, when)), ALICE))
    assert chain.world.broker.auto_renewals[0].next_renewal == when
    before = chain.balance(sib)
    rotate(chain)
    events = chain.block_events()
    renewed = find(events, "Renewed").attributes
    assert renewed["who"] == sib and chain.balance(sib) == before - renewed["price"]
    assert named(events)[:3] == ["Renewed", "Renewable", "SaleInitialized"]
    chain.set_balance(sib, PAS)
    rotate(chain)
    events = chain.block_events()
    assert find(events, "AutoRenewalFailed").attributes == {"core": renewed["core"], "payer": sib}
    assert chain.world.broker.auto_renewals == []
    assert chain.balance(sib) == PAS


@pytest.mark.parametrize(("keeps_old_core", "recorded"), [(False, 1), (True, 2)])
def test_enable_records_the_new_core_unless_modelling_the_old_runtime(
    keeps_old_core: bool, recorded: int
) -> None:
    chain = started(chain=paseo_chain(auto_renew_keeps_old_core=keeps_old_core))
    to_fixed_price(chain)
    for who, task in (("//Bob", 2000), ("//Charlie", 2001), ("//Dave", 2002)):
        buy_and_assign(chain, who, task)
    rotate(chain)
    ok(chain.submit(broker("renew", core=0), BOB))
    chain.set_balance(sibling_account(2002), 10**15)
    outcome = ok(chain.submit(sudo_as(sibling_account(2002), enable(2, 2002)), ALICE))
    assert find(outcome.events, "Renewed").attributes["core"] == 1  # moved from core 2
    assert chain.world.broker.auto_renewals[0].core == recorded


def test_disable_auto_renew() -> None:
    chain = _auto_chain()
    sib = sibling_account(2000)
    chain.set_balance(sib, 10**15)
    ok(chain.submit(sudo_as(sib, enable(0, 2000)), ALICE))
    missing = chain.submit(sudo_as(sib, broker("disable_auto_renew", core=3, task=2000)), ALICE)
    assert missing.error is not None and missing.error.name == "AutoRenewalNotEnabled"
    done = ok(chain.submit(sudo_as(sib, broker("disable_auto_renew", core=0, task=2000)), ALICE))
    assert named(done.events) == ["AutoRenewalDisabled"]
    assert chain.world.broker.auto_renewals == []


def test_a_lease_ending_becomes_renewable_at_the_target_price() -> None:
    chain = paseo_chain()
    config = {
        "advance_notice": 2,
        "interlude_length": 6,
        "leadin_length": 7,
        "region_length": 3,
        "ideal_bulk_proportion": 10**9,
        "limit_cores_offered": None,
        "renewal_bump": 30_000_000,
        "contribution_timeout": 5,
    }
    ok(chain.submit(sudo(broker("configure", config=config)), ALICE))
    until = chain.relay_number // 80 + 4
    ok(chain.submit(sudo(broker("set_lease", task=3000, until=until)), ALICE))
    ok(chain.submit(sudo(broker("start_sales", end_price=100 * PAS, extra_cores=1)), ALICE))
    events = chain.block_events()
    assert named(events) == [
        "CoreCountRequested",
        "SalesStarted",
        "Renewable",
        "LeaseEnding",
        "SaleInitialized",
    ]
    assert find(events, "Renewable").attributes["price"] == 750 * PAS  # Paseo's target price
    assert chain.world.broker.leases == []
    assert chain.world.broker.sale is not None and chain.world.broker.sale.first_core == 1
    expired = chain.submit(sudo(broker("set_lease", task=3001, until=1)), ALICE)
    assert expired.error is not None and expired.error.name == "AlreadyExpired"
