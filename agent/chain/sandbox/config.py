"""How a sandbox network is set up: network, clock start, fees, price adapter, pallet limits.

Why: the same sandbox stands in for Polkadot (the demo, `simulate`) and for the Paseo Coretime
runtime the conformance test compares against, so the parts that differ between runtimes are
settings here rather than code.

Fees are a documented simplification: every extrinsic that pays costs a flat ``fee`` (the real
runtimes charge by weight and length, about 0.0018 PAS for a Broker call on Paseo); calls that
return `Pays::No` on success (purchase, renew, assign Final, sudo, ...) are refunded, and a
failed call always pays. An XCM program executed on the Coretime chain costs a flat ``xcm_fee``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.chain.sandbox.pricing import MinimumPrice, PriceAdapter, SpotParams
from agent.chain.sandbox.world import Limits
from agent.model.network import POLKADOT, Network

DEV_ACCOUNTS = ("//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie")

RUNTIME_APIS = frozenset(
    {
        "Core",
        "Metadata",
        "BlockBuilder",
        "TaggedTransactionQueue",
        "OffchainWorkerApi",
        "SessionKeys",
        "AuraApi",
        "AccountNonceApi",
        "TransactionPaymentApi",
        "TransactionPaymentCallApi",
        "XcmPaymentApi",
        "DryRunApi",
        "LocationToAccountApi",
        "CollectCollationInfo",
        "GenesisBuilder",
    }
)
"""What Polkadot Coretime 2.3.2 implements (no `BrokerApi`: prices are computed locally)."""


@dataclass(frozen=True)
class SandboxConfig:
    network: Network = POLKADOT
    start_relay: int = 1000
    """Relay number of the genesis block (chopsticks mocks 1000 too)."""
    keep_blocks: int = 256
    """Coretime blocks whose events stay readable; older ones are forgotten."""
    coretime_existential_deposit: int | None = None  # default: a tenth of a token
    relay_existential_deposit: int | None = None  # default: one token
    fee: int | None = None  # default: 0.002 token per paying extrinsic
    xcm_fee: int | None = None  # default: 0.01 token per XCM program
    adapter: PriceAdapter | None = None  # default: MinimumPrice(10 tokens), as Polkadot
    spot: SpotParams | None = None  # default: base fee 0.001 token, Polkadot's other values
    limits: Limits = field(default_factory=Limits)
    auto_renew_keeps_old_core: bool = False
    """Model pallet-broker before #10767 (Paseo 2000006): after an immediate renew,
    `enable_auto_renew` records the old core, so a later auto-renewal renews whatever workload
    then sits there, paid by this para's sibling account. Polkadot 2.3.2 has the fix."""
    sudo: str = "//Alice"
    """Secret URI of the Coretime and relay sudo key (the key itself stays in the sandbox)."""
    spec_name: str = "coretime-sandbox"
    spec_version: int = 1

    @property
    def unit(self) -> int:
        return self.network.token.unit

    def coretime_ed(self) -> int:
        ed = self.coretime_existential_deposit
        return self.unit // 10 if ed is None else ed

    def relay_ed(self) -> int:
        ed = self.relay_existential_deposit
        return self.unit if ed is None else ed

    def flat_fee(self) -> int:
        return self.unit // 500 if self.fee is None else self.fee

    def flat_xcm_fee(self) -> int:
        return self.unit // 100 if self.xcm_fee is None else self.xcm_fee

    def price_adapter(self) -> PriceAdapter:
        return MinimumPrice(10 * self.unit) if self.adapter is None else self.adapter

    def spot_params(self) -> SpotParams:
        return SpotParams(base_fee=self.unit // 1000) if self.spot is None else self.spot
