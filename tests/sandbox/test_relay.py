"""The relay's on-demand queue, spot price, and para block production."""

from __future__ import annotations

import pytest

from agent.chain.sandbox import Limits, SandboxChain, SandboxConfig, SpotParams
from agent.chain.sandbox.world import Order
from agent.model.outcome import OutcomeStatus
from agent.model.port import SnapshotRequest
from tests.sandbox.helpers import (
    HUGE,
    buy_and_assign,
    find,
    ok,
    order,
    rotate,
    signer,
    started,
    to_fixed_price,
)

ALICE = signer("//Alice")
UNIT = 10**10


def _chain(cores: int = 1, **spot: int) -> SandboxChain:
    params = SpotParams(base_fee=10**7, **spot) if spot else None
    chain = SandboxChain(SandboxConfig(spot=params, limits=Limits(on_demand_cores=cores)))
    chain.fund(["//Alice", "//Bob"], 1_000 * UNIT)
    chain.register_para(2002, lifecycle="Parathread", pending=5)
    return chain


def activity(chain: SandboxChain, para: int = 2002) -> tuple[int | None, int | None]:
    snap = chain.snapshot(SnapshotRequest(para_ids=[para]))
    return snap.paras[para].last_block_relay, snap.paras[para].pending_extrinsics


def test_an_order_is_served_two_relay_blocks_later_and_the_para_produces_a_block() -> None:
    chain = _chain()
    assert activity(chain) == (None, 5)  # idle parathread, extrinsics waiting
    before = chain.balance(chain.account("//Alice"), relay=True)
    outcome = ok(chain.submit(order(2002, 10**8), ALICE))
    placed = find(outcome.events, "OnDemandOrderPlaced").attributes
    assert placed == {"para_id": 2002, "spot_price": 10**7, "ordered_by": chain.account("//Alice")}
    assert outcome.spent == 10**7
    assert chain.balance(chain.account("//Alice"), relay=True) == before - 10**7 - outcome.fee
    ordered_at = chain.relay_number
    assert activity(chain) == (None, 5)
    chain.new_block()
    assert activity(chain) == (ordered_at + 2, 0)
    assert chain.world.on_demand.orders == []


def test_orders_are_served_one_per_para_per_relay_block_on_the_on_demand_cores() -> None:
    chain = SandboxChain(SandboxConfig(limits=Limits(on_demand_cores=2)))
    ready = chain.relay_number - 2
    chain.world.on_demand.orders.extend([Order(2002, ready)] * 3 + [Order(2003, ready)])
    chain.new_block()  # two relay blocks with two cores: 2002 + 2003, then 2002 again
    assert [o.para_id for o in chain.world.on_demand.orders] == [2002]


@pytest.mark.parametrize(
    ("spot", "max_amount", "error"),
    [
        ({}, 10**7 - 1, "SpotPriceHigherThanMaxAmount"),
        ({"max_queue_size": 1}, HUGE, "QueueFull"),  # no on-demand core serves it meanwhile
    ],
)
def test_order_errors(spot: dict[str, int], max_amount: int, error: str) -> None:
    chain = _chain(cores=0, **spot)
    if error == "QueueFull":
        ok(chain.submit(order(2002, HUGE), ALICE))
    outcome = chain.submit(order(2002, max_amount), signer("//Bob"))
    assert outcome.status is OutcomeStatus.FAILED and outcome.error is not None
    assert outcome.error.name == error and outcome.fee > 0


def test_keep_alive_refuses_to_kill_the_account_but_allow_death_reaps_it() -> None:
    chain = _chain()
    poor = chain.account("//Poor")
    fee = chain.config.flat_fee()
    short = UNIT + fee + 10**7 - 1  # one planck less than the ED (1 token) + fee + one order
    chain.set_balance(poor, short, relay=True)
    refused = chain.submit(order(2002, HUGE), signer("//Poor"))
    assert refused.error is not None and refused.error.name == "NotExpendable"
    assert chain.balance(poor, relay=True) == short - fee
    chain.set_balance(poor, short, relay=True)
    done = ok(chain.submit(order(2002, HUGE, keep_alive=False), signer("//Poor")))
    assert done.spent == 10**7 and chain.balance(poor, relay=True) == 0  # reaped
    assert [e.name for e in done.events if e.pallet == "System"][:1] == ["KilledAccount"]


def test_a_full_queue_raises_the_spot_price() -> None:
    chain = _chain(cores=0, max_queue_size=4, target_utilization=250_000_000)
    prices = []
    for _ in range(4):
        outcome = ok(chain.submit(order(2002, HUGE), ALICE))
        prices.append(find(outcome.events, "OnDemandOrderPlaced").attributes["spot_price"])
    assert prices[0] == 10**7 and prices[-1] > prices[0]
    assert prices == sorted(prices)
    chain.world.on_demand.orders.clear()
    chain.advance(50)
    assert chain.world.on_demand.traffic == 10**18  # empty queue: back to the floor


def test_inflow_of_extrinsics_and_bulk_coretime() -> None:
    chain = started()
    chain.register_para(2002, lifecycle="Parathread", inflow_every=10)
    chain.advance(100)
    assert activity(chain)[1] == 10  # one every 10 relay blocks since registration
    to_fixed_price(chain)
    region = buy_and_assign(chain, "//Bob", 2002)
    rotate(chain)
    chain.advance(200)  # the region has begun: the para has a core
    assert activity(chain) == (chain.relay_number, 0)
    chain.advance_to((region["begin"] + 3) * 80 + 40)  # the region ended without renewal
    last, pending = activity(chain)
    assert last == (region["begin"] + 3) * 80 - 1
    assert pending == (chain.relay_number - last) // 10
