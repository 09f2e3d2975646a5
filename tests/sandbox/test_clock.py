"""The accelerated clock: skipping quiet blocks is exact, fast, and keeps recent events."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.chain.sandbox import POLKADOT_BROKER, PresetSpec, SandboxChain, SandboxConfig
from agent.model.accounts import sibling_account
from tests.sandbox.helpers import (
    HUGE,
    broker,
    ok,
    order,
    paseo_chain,
    signer,
    started,
    sudo,
    sudo_as,
    to_fixed_price,
)


def _busy_chain(advance_notice: int, region_length: int, leadin: int, keep: int) -> SandboxChain:
    """Sales running, a renewable core on auto-renewal, a parathread with an order queued."""
    chain = started(
        chain=paseo_chain(keep_blocks=keep),
        advance_notice=advance_notice,
        region_length=region_length,
        leadin_length=leadin,
        interlude_length=leadin,
    )
    to_fixed_price(chain)  # with short regions the sale may already have rotated: fine
    bought = chain.submit(broker("purchase", price_limit=HUGE), signer("//Bob"))
    for item in bought.events:
        if item.name == "Purchased":
            region = item.attributes["region_id"]
            assign = broker("assign", region_id=region, task=2000, finality="Final")
            chain.submit(assign, signer("//Bob"))
    chain.register_para(2000, sudo="//Alice")
    chain.register_para(2002, lifecycle="Parathread", inflow_every=3)
    sib = sibling_account(2000)
    chain.set_balance(sib, 10**16)
    sale = chain.world.broker.sale
    assert sale is not None
    hint = sale.region_end
    call = broker("enable_auto_renew", core=0, task=2000, workload_end_hint=hint)
    chain.submit(sudo_as(sib, call), signer("//Alice"))  # may lack a right in odd configurations
    ok(chain.submit(order(2002, HUGE), signer("//Alice")))
    return chain


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    advance_notice=st.integers(0, 30),
    region_length=st.integers(1, 6),
    leadin=st.integers(1, 60),
    steps=st.lists(st.tuples(st.integers(0, 700), st.integers(1, 900)), min_size=1, max_size=4),
    keep=st.sampled_from([1, 16, 64]),
)
def test_skipping_equals_stepping_block_by_block(
    advance_notice: int, region_length: int, leadin: int, steps: list[tuple[int, int]], keep: int
) -> None:
    fast = _busy_chain(advance_notice, region_length, leadin, keep)
    slow = fast.fork()
    for jump, relay_blocks in steps:
        if jump > 2:  # a relay jump leaves commits lagging: they catch up one per block
            fast.jump_to(fast.relay_number + jump)
            slow.jump_to(slow.relay_number + jump)
        target = fast.relay_number + relay_blocks
        fast.advance_to(target)
        while slow.relay_number < target:
            slow.new_block()
        assert fast.world == slow.world
        first_kept = fast.block_number - keep
        assert fast.events_since(first_kept) == slow.events_since(first_kept)
        assert fast.relay_events_since(0) == slow.relay_events_since(0)


def test_thirteen_long_sales_simulate_in_well_under_a_second() -> None:
    chain = SandboxChain.preset(PresetSpec(broker=POLKADOT_BROKER))
    start = time.perf_counter()
    first = chain.world.broker.sale_index
    while chain.world.broker.sale_index < first + 13:
        sale = chain.world.broker.sale
        assert sale is not None
        chain.advance_to(sale.region_begin * 80)  # just past the next rotation
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, f"13 sales took {elapsed:.2f}s"
    assert chain.relay_number > 13 * 5040 * 80


def test_events_of_the_last_blocks_are_kept_and_older_ones_forgotten() -> None:
    chain = SandboxChain(SandboxConfig(keep_blocks=4))
    chain.fund(["//Alice"], 10**15)
    for _ in range(6):
        ok(chain.submit(sudo(broker("request_core_count", core_count=1)), signer("//Alice")))
    numbers = sorted({n for n, _ in chain.events_since(0)})
    assert numbers == list(range(chain.block_number - 3, chain.block_number + 1))
    assert chain.block_events(1) == []


def test_time_only_moves_when_asked_and_in_coretime_blocks() -> None:
    chain = SandboxChain()
    assert (chain.block_number, chain.relay_number) == (0, 1000)
    chain.advance(1)
    assert (chain.block_number, chain.relay_number) == (1, 1002)
    chain.advance_to(1010)
    assert (chain.block_number, chain.relay_number) == (5, 1010)
    chain.jump_to(5000)
    assert (chain.block_number, chain.relay_number, chain.world.clock.prev_relay) == (6, 5000, 1010)
    chain.advance_to(10)  # the past: nothing happens
    assert chain.block_number == 6


def test_a_purchase_lands_in_the_next_block() -> None:
    chain = started()
    to_fixed_price(chain)
    block, relay = chain.block_number, chain.relay_number
    outcome = ok(chain.submit(broker("purchase", price_limit=HUGE), signer("//Bob")))
    assert outcome.block_number == block + 1 and chain.relay_number == relay + 2
