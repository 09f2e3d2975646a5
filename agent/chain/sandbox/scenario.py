"""Ready-made sandbox networks and simulated markets.

Why: the demo and `simulate` need a configured network in one call (sales started, accounts
funded, paras with renewal rights, a parathread) and a way to say how the market moves from
sale to sale. A price path sets each new sale's end price at rotation, the way governance's
`reset_base_price` would; the runtime's adapter still sets the target price, and renewal
prices then follow the usual rule (``max(old + bump, end price)``), so a spike reaches renewals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import SecretStr

from agent.chain.sandbox.fixed import perbill_mul
from agent.chain.sandbox.pricing import PricePath
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import BrokerConfig
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.port import SignerSpec

if TYPE_CHECKING:
    from agent.chain.sandbox.chain import SandboxChain


@dataclass(frozen=True, slots=True)
class Steady:
    """Every sale ends at the previous sale's end price."""

    def end_price(self, index: int, first_end: int, previous_end: int) -> int:
        return previous_end


@dataclass(frozen=True, slots=True)
class Rising:
    """Each sale ends ``step`` (perbill; 10% by default) above the previous one."""

    step: int = 100_000_000

    def end_price(self, index: int, first_end: int, previous_end: int) -> int:
        return previous_end + perbill_mul(self.step, previous_end)


@dataclass(frozen=True, slots=True)
class Spike:
    """The first sale's price, except ``length`` sales from sale ``at`` at ``factor`` times it."""

    at: int = 3
    factor: int = 4
    length: int = 1

    def end_price(self, index: int, first_end: int, previous_end: int) -> int:
        return first_end * self.factor if self.at <= index < self.at + self.length else first_end


@dataclass(frozen=True, slots=True)
class Scripted:
    """End prices given sale by sale (the last one repeats), e.g. read from a scenario file."""

    prices: tuple[int, ...]

    def end_price(self, index: int, first_end: int, previous_end: int) -> int:
        if not self.prices:
            return previous_end
        return self.prices[min(index, len(self.prices)) - 1]


PRICE_PATHS: dict[str, PricePath] = {"steady": Steady(), "rising": Rising(), "spike": Spike()}


def price_path(name: str) -> PricePath:
    """A named path: ``steady``, ``rising`` or ``spike``."""
    try:
        return PRICE_PATHS[name]
    except KeyError:
        known = ", ".join(PRICE_PATHS)
        raise ValueError(f"unknown price path '{name}'; choose one of {known}") from None


FAST_BROKER = BrokerConfig(
    advance_notice=10,
    interlude_length=400,
    leadin_length=400,
    region_length=30,
    ideal_bulk_proportion=400_000_000,
    limit_cores_offered=None,
    renewal_bump=30_000_000,
    contribution_timeout=30,
)
"""A sale every 30 timeslices (2,400 relay blocks): short enough for a demo."""

POLKADOT_BROKER = BrokerConfig(
    advance_notice=10,
    interlude_length=100_800,
    leadin_length=100_800,
    region_length=5040,
    ideal_bulk_proportion=400_000_000,
    limit_cores_offered=None,
    renewal_bump=30_000_000,
    contribution_timeout=5040,
)
"""28-day regions, 7-day interlude and lead-in in relay blocks (governance values unknown)."""


@dataclass(frozen=True)
class PresetSpec:
    """What `SandboxChain.preset` sets up; amounts in whole tokens unless named planck."""

    bulk_paras: tuple[int, ...] = (2000, 2001)
    """Paras that own a core bought in the first sale, renewable in the next one."""
    parathreads: tuple[int, ...] = (2002,)
    """Paras without bulk coretime (on-demand), with pending extrinsics arriving."""
    broker: BrokerConfig = FAST_BROKER
    end_price: int = 100
    spare_cores: int = 2
    accounts: tuple[str, ...] = ("//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie")
    account_funding: int = 1_000_000
    sibling_funding: int = 10_000
    holder: str = "//Alice"
    """Buys the bulk paras' first cores and is every para's sudo key."""
    inflow_every: int = 4
    """A parathread gets a new pending extrinsic every this many relay blocks."""
    price_path: PricePath | None = None


def _root(chain: SandboxChain, function: str, **args: object) -> None:
    inner = CallSpec(TargetChain.CORETIME, "Broker", function, args)
    call = CallSpec(TargetChain.CORETIME, "Sudo", "sudo", {"call": inner})
    _included(chain.submit(call, _signer(chain.config.sudo)), function)


def _included(outcome: SubmissionOutcome, what: str) -> SubmissionOutcome:
    if outcome.status is not OutcomeStatus.INCLUDED:
        raise RuntimeError(f"sandbox set-up: Broker.{what} failed: {outcome.message}")
    return outcome


def _signer(secret: str) -> SignerSpec:
    return SignerSpec(name="preset", secret=SecretStr(secret))


def set_up(chain: SandboxChain, spec: PresetSpec) -> None:
    """Configure, start sales, fund, register paras and give the bulk paras renewal rights."""
    unit = chain.config.unit
    chain.fund(spec.accounts, spec.account_funding * unit)
    broker = {name: getattr(spec.broker, name) for name in BrokerConfig.__dataclass_fields__}
    _root(chain, "configure", config=broker)
    cores = len(spec.bulk_paras) + spec.spare_cores
    _root(chain, "start_sales", end_price=spec.end_price * unit, extra_cores=cores)
    for para in spec.bulk_paras:
        chain.register_para(para, sudo=spec.holder)
        chain.set_balance(sibling_account(para), spec.sibling_funding * unit)
    for para in spec.parathreads:
        chain.register_para(
            para, lifecycle="Parathread", sudo=spec.holder, inflow_every=spec.inflow_every
        )
        chain.set_balance(sibling_account(para), spec.sibling_funding * unit)
    sale = chain.world.broker.sale
    assert sale is not None
    chain.advance_to(sale.sale_start + sale.leadin_length)
    holder = _signer(spec.holder)
    for para in spec.bulk_paras:
        purchase = CallSpec(TargetChain.CORETIME, "Broker", "purchase", {"price_limit": 2**127})
        bought = _included(chain.submit(purchase, holder), "purchase")
        region = next(e for e in bought.events if e.name == "Purchased").attributes["region_id"]
        assign = {"region_id": region, "task": para, "finality": "Final"}
        _included(
            chain.submit(CallSpec(TargetChain.CORETIME, "Broker", "assign", assign), holder),
            "assign",
        )
    chain.set_price_path(spec.price_path)
