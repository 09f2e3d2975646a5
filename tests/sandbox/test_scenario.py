"""Price paths (simulated market moves) and their effect on sales and renewals."""

from __future__ import annotations

import pytest

from agent.chain.sandbox import (
    MinimumPrice,
    PresetSpec,
    Rising,
    SandboxChain,
    SandboxConfig,
    Scripted,
    Spike,
    Steady,
    price_path,
)
from agent.chain.sandbox.pricing import PricePath
from agent.model.accounts import sibling_account
from tests.sandbox.helpers import broker, find, ok, signer, sudo_as

DOT = 10**10
FIRST = 100 * DOT


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (Steady(), [FIRST] * 5),
        (Rising(), [FIRST, 110 * DOT, 121 * DOT, 1331 * DOT // 10, 14641 * DOT // 100]),
        (Spike(at=2, factor=4), [FIRST, FIRST, 4 * FIRST, FIRST, FIRST]),
        (Spike(at=1, factor=3, length=2), [FIRST, 3 * FIRST, 3 * FIRST, FIRST, FIRST]),
        (Scripted((7 * DOT, 9 * DOT)), [FIRST, 7 * DOT, 9 * DOT, 9 * DOT, 9 * DOT]),
    ],
)
def test_price_paths_set_each_new_sale_end_price(path: PricePath, expected: list[int]) -> None:
    chain = SandboxChain.preset(PresetSpec(price_path=path))
    prices = []
    for _ in range(5):
        sale = chain.world.broker.sale
        assert sale is not None
        prices.append(sale.end_price)
        chain.advance_to(sale.region_begin * 80)
    assert prices == expected


def test_without_a_path_the_adapter_decides() -> None:
    config = SandboxConfig(adapter=MinimumPrice(10 * DOT))
    chain = SandboxChain.preset(config=config)
    prices = []
    for _ in range(4):
        sale = chain.world.broker.sale
        assert sale is not None
        prices.append(sale.end_price)
        chain.advance_to(sale.region_begin * 80)
    # the first sale sold 2 cores at its end price: the next ends at a tenth of it, then the floor
    assert prices == [FIRST, 10 * DOT, 10 * DOT, 10 * DOT]


def test_a_forced_end_price_applies_once() -> None:
    chain = SandboxChain.preset(PresetSpec(price_path=Steady()))
    chain.force_next_end_price(555 * DOT)
    seen = []
    for _ in range(2):
        sale = chain.world.broker.sale
        assert sale is not None
        chain.advance_to(sale.region_begin * 80)
        assert chain.world.broker.sale is not None
        seen.append(chain.world.broker.sale.end_price)
    assert seen == [555 * DOT, 555 * DOT]  # steady keeps the forced price afterwards


def test_a_spike_reaches_renewals_through_the_end_price_floor() -> None:
    chain = SandboxChain.preset(PresetSpec(price_path=Spike(at=2, factor=10)))
    sib = sibling_account(2000)
    sale = chain.world.broker.sale
    assert sale is not None
    chain.advance_to(sale.region_begin * 80)  # sale 1: 2000 renewable at 100 DOT
    enable = broker("enable_auto_renew", core=0, task=2000, workload_end_hint=None)
    outcome = ok(chain.submit(sudo_as(sib, enable), signer("//Alice")))
    next_price = find(outcome.events, "Renewable").attributes["price"]
    assert next_price == 103 * DOT  # old + 3%
    sale = chain.world.broker.sale
    assert sale is not None
    before = chain.block_number
    chain.advance_to(sale.region_begin * 80)  # sale 2 ends at 1,000 DOT: the auto-renewal pays 103
    events = [e for _, e in chain.events_since(before)]
    renewed = find(events, "Renewed").attributes
    assert renewed["price"] == 103 * DOT and renewed["who"] == sib
    renewable = find(events, "Renewable").attributes
    assert renewable["price"] == 1000 * DOT  # max(103 + 3%, end price 1,000)


def test_named_paths() -> None:
    assert isinstance(price_path("steady"), Steady)
    assert isinstance(price_path("rising"), Rising)
    assert isinstance(price_path("spike"), Spike)
    with pytest.raises(ValueError, match="choose one of steady, rising, spike"):
        price_path("crash")
