"""Small builders for sandbox tests: signers, calls, and a chain with a short sale cycle."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from agent.chain.sandbox import FixedPrices, SandboxChain, SandboxConfig
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import COMPLETE_MASK
from agent.model.network import PASEO
from agent.model.outcome import ChainEvent, SubmissionOutcome
from agent.model.port import ProxySpec, SignerSpec

PAS = 10**10
HUGE = 10**20
FULL_MASK = "0x" + "ff" * 10
assert int(FULL_MASK, 16) == COMPLETE_MASK

SHORT_CONFIG = {
    "advance_notice": 2,
    "interlude_length": 6,
    "leadin_length": 7,
    "region_length": 3,
    "ideal_bulk_proportion": 1_000_000_000,
    "limit_cores_offered": None,
    "renewal_bump": 30_000_000,
    "contribution_timeout": 5,
}


def signer(uri: str, proxy: ProxySpec | None = None) -> SignerSpec:
    return SignerSpec(name=uri.strip("/").lower(), secret=SecretStr(uri), proxy=proxy)


def broker(function: str, **args: Any) -> CallSpec:
    return CallSpec(TargetChain.CORETIME, "Broker", function, args)


def sudo(call: CallSpec) -> CallSpec:
    return CallSpec(TargetChain.CORETIME, "Sudo", "sudo", {"call": call})


def sudo_as(who: str, call: CallSpec) -> CallSpec:
    return CallSpec(TargetChain.CORETIME, "Sudo", "sudo_as", {"who": who, "call": call})


def order(para_id: int, max_amount: int, *, keep_alive: bool = True) -> CallSpec:
    function = "place_order_keep_alive" if keep_alive else "place_order_allow_death"
    return CallSpec(
        TargetChain.RELAY, "OnDemand", function, {"max_amount": max_amount, "para_id": para_id}
    )


def named(events: Any, pallet: str = "Broker") -> list[str]:
    return [e.name for e in events if e.pallet == pallet]


def find(events: Any, name: str) -> ChainEvent:
    hits = [e for e in events if e.name == name]
    assert hits, f"no {name} in {[e.name for e in events]}"
    return hits[0]


def paseo_chain(**overrides: Any) -> SandboxChain:
    """Paseo prices (end 500 PAS, target 750 PAS), //Alice..//Ferdie funded, nothing started."""
    config = SandboxConfig(network=PASEO, adapter=FixedPrices(500 * PAS, 750 * PAS), **overrides)
    chain = SandboxChain(config)
    chain.fund(["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"], 10**7 * PAS)
    return chain


def started(
    *,
    extra_cores: int = 3,
    end_price: int = 100 * PAS,
    chain: SandboxChain | None = None,
    **config: Any,
) -> SandboxChain:
    """A chain with the short configuration and sales started (in the first interlude)."""
    chain = chain or paseo_chain()
    ok(
        chain.submit(
            sudo(broker("configure", config={**SHORT_CONFIG, **config})), signer("//Alice")
        )
    )
    start = broker("start_sales", end_price=end_price, extra_cores=extra_cores)
    ok(chain.submit(sudo(start), signer("//Alice")))
    return chain


def ok(outcome: SubmissionOutcome) -> SubmissionOutcome:
    assert outcome.ok, f"{outcome.status.value}: {outcome.message}"
    return outcome


def to_fixed_price(chain: SandboxChain) -> None:
    sale = chain.world.broker.sale
    assert sale is not None
    chain.advance_to(sale.sale_start + sale.leadin_length)


def rotate(chain: SandboxChain) -> None:
    """Advance until the next sale has been initialised."""
    sale = chain.world.broker.sale
    assert sale is not None
    index = chain.world.broker.sale_index
    while chain.world.broker.sale_index == index:
        chain.new_block()


def buy_and_assign(
    chain: SandboxChain, who: str, task: int, *, final: bool = True
) -> dict[str, Any]:
    bought = ok(chain.submit(broker("purchase", price_limit=HUGE), signer(who)))
    region = dict(find(bought.events, "Purchased").attributes["region_id"])
    finality = "Final" if final else "Provisional"
    ok(chain.submit(broker("assign", region_id=region, task=task, finality=finality), signer(who)))
    return region
