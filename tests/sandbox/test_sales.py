"""Sale set-up, phases, rotation timing and the purchase errors."""

from __future__ import annotations

import pytest

from agent.chain.sandbox.pricing import sale_price
from tests.sandbox.helpers import (
    HUGE,
    PAS,
    SHORT_CONFIG,
    broker,
    find,
    named,
    ok,
    paseo_chain,
    rotate,
    signer,
    started,
    sudo,
    to_fixed_price,
)

BOB = signer("//Bob")


def test_start_sales_opens_the_first_sale_like_the_runtime() -> None:
    chain = started(extra_cores=3)
    events = chain.block_events()
    assert named(events) == ["CoreCountRequested", "SalesStarted", "SaleInitialized"]
    init = find(events, "SaleInitialized").attributes
    relay = chain.relay_number
    commit = (relay + 2) // 80
    assert init == {
        "sale_start": relay + 6,
        "leadin_length": 7,
        "start_price": 100 * 500 * PAS,
        "end_price": 500 * PAS,  # Paseo's fixed end price, whatever start_sales said
        "region_begin": commit + 3,
        "region_end": commit + 6,
        "ideal_cores_sold": 3,
        "cores_offered": 3,
    }
    status = chain.world.broker.status
    assert status is not None and status.last_committed_timeslice == commit - 1


@pytest.mark.parametrize(
    ("when", "limit", "error"),
    [
        ("before start", HUGE, "Uninitialized"),  # Status is checked before SaleInfo
        ("interlude", HUGE, "TooEarly"),
        ("lead-in", 1, "Overpriced"),
        ("fixed price", 500 * PAS - 1, "Overpriced"),
    ],
)
def test_purchase_errors_by_phase(when: str, limit: int, error: str) -> None:
    chain = paseo_chain()
    if when == "before start":
        ok(chain.submit(sudo(broker("configure", config=_config())), signer("//Alice")))
    else:
        chain = started()
    sale = chain.world.broker.sale
    if when == "lead-in":
        assert sale is not None
        chain.advance_to(sale.sale_start)
    if when == "fixed price":
        to_fixed_price(chain)
    before = chain.balance(chain.account("//Bob"))
    outcome = chain.submit(broker("purchase", price_limit=limit), BOB)
    assert outcome.error is not None and outcome.error.name == error
    assert outcome.fee > 0 and chain.balance(chain.account("//Bob")) == before - outcome.fee
    assert "Purchased" not in named(outcome.events)


def _config() -> dict[str, object]:
    return dict(SHORT_CONFIG)


def test_uninitialized_before_configure() -> None:
    chain = paseo_chain()
    outcome = chain.submit(broker("renew", core=0), BOB)
    assert outcome.error is not None and outcome.error.name == "Uninitialized"


def test_purchase_charges_the_price_of_its_block_not_the_limit() -> None:
    chain = started()
    sale = chain.world.broker.sale
    assert sale is not None
    chain.advance_to(sale.sale_start + 1)
    expected = sale_price(sale, chain.relay_number + 2)
    before = chain.balance(chain.account("//Bob"))
    outcome = ok(chain.submit(broker("purchase", price_limit=HUGE), BOB))
    assert find(outcome.events, "Purchased").attributes["price"] == expected
    assert outcome.spent == expected and outcome.fee == 0  # Pays::No on success
    assert chain.balance(chain.account("//Bob")) == before - expected


def test_sold_out_after_the_last_core_and_unsold_cores_go_to_the_pool() -> None:
    chain = started(extra_cores=2)
    to_fixed_price(chain)
    ok(chain.submit(broker("purchase", price_limit=HUGE), BOB))
    ok(chain.submit(broker("purchase", price_limit=HUGE), signer("//Charlie")))
    outcome = chain.submit(broker("purchase", price_limit=HUGE), signer("//Dave"))
    assert outcome.error is not None and outcome.error.name == "SoldOut"

    chain = started(extra_cores=3)
    to_fixed_price(chain)
    ok(chain.submit(broker("purchase", price_limit=HUGE), BOB))
    rotate(chain)
    assigned = [e.attributes for e in chain.block_events() if e.name == "CoreAssigned"]
    assert [a["assignment"] for a in assigned] == [[["Pool", 57600]], [["Pool", 57600]]]
    history = find(chain.block_events(), "HistoryInitialized").attributes
    assert history["system_pool_size"] == 160


def test_rotation_happens_when_the_region_begin_is_committed() -> None:
    chain = started()
    sale = chain.world.broker.sale
    assert sale is not None
    target = sale.region_begin * 80 - 2  # region_begin·80 − advance_notice
    chain.advance_to(target)
    assert chain.world.broker.sale_index == 0
    chain.new_block()  # the tick sees the previous relay number: one block later
    assert chain.world.broker.sale_index == 1
    init = find(chain.block_events(), "SaleInitialized").attributes
    assert init["region_begin"] == sale.region_end
    assert init["sale_start"] == chain.world.clock.prev_relay + 6


def test_a_jump_commits_one_timeslice_per_block() -> None:
    chain = started()
    chain.new_block()  # commits the timeslice start_sales left pending
    sale = chain.world.broker.sale
    assert sale is not None
    chain.jump_to(sale.region_begin * 80 - 2)
    assert named(chain.block_events()) == []  # the tick still sees the previous relay number
    seen = []
    while chain.world.broker.sale_index == 0:
        chain.new_block()
        seen.append(named(chain.block_events()))
    assert seen[:-1] == [["HistoryInitialized"]] * (len(seen) - 1)
    assert "SaleInitialized" in seen[-1]


def test_admin_calls_need_root() -> None:
    chain = paseo_chain()
    outcome = chain.submit(broker("configure", config=_config()), BOB)
    assert outcome.error is not None and str(outcome.error) == "System.BadOrigin"
    wrapped = chain.submit(sudo(broker("configure", config=_config())), BOB)
    assert wrapped.error is not None and str(wrapped.error) == "Sudo.RequireSudo"
    bad = chain.submit(
        sudo(broker("configure", config={**_config(), "leadin_length": 0})), signer("//Alice")
    )
    assert bad.error is not None and bad.error.name == "InvalidConfig"
    assert bad.status.value == "failed" and find(bad.events, "Sudid").attributes["sudo_result"] == {
        "Err": {"Module": {"pallet": "Broker", "error": "InvalidConfig"}}
    }


def test_no_cores_is_unavailable_and_no_funds_is_a_token_error() -> None:
    chain = started(extra_cores=0)
    to_fixed_price(chain)
    outcome = chain.submit(broker("purchase", price_limit=HUGE), BOB)
    assert outcome.error is not None and outcome.error.name == "Unavailable"

    chain = started()
    to_fixed_price(chain)
    poor = chain.account("//Poor")
    chain.set_balance(poor, 2 * PAS)  # as on the real runtime: {"Token": "FundsUnavailable"}
    outcome = chain.submit(broker("purchase", price_limit=HUGE), signer("//Poor"))
    assert outcome.error is not None and str(outcome.error) == "Token.FundsUnavailable"
    failed = find(outcome.events, "ExtrinsicFailed").attributes
    assert failed["dispatch_error"] == {"Token": "FundsUnavailable"}
    assert chain.balance(poor) == 2 * PAS - outcome.fee
