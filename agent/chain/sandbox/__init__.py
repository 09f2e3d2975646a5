"""The sandbox network: an in-process Coretime chain and relay behind the chain port.

`SandboxChain` is the entry point; `SandboxConfig` and `PresetSpec` set it up; the price paths
(`Steady`, `Rising`, `Spike`, `Scripted`) simulate market moves between sales.
"""

from agent.chain.sandbox.chain import Checkpoint, SandboxChain
from agent.chain.sandbox.config import SandboxConfig
from agent.chain.sandbox.pricing import CenterTargetPrice, FixedPrices, MinimumPrice, SpotParams
from agent.chain.sandbox.scenario import (
    FAST_BROKER,
    POLKADOT_BROKER,
    PresetSpec,
    Rising,
    Scripted,
    Spike,
    Steady,
    price_path,
)
from agent.chain.sandbox.world import Limits

__all__ = [
    "FAST_BROKER",
    "POLKADOT_BROKER",
    "CenterTargetPrice",
    "Checkpoint",
    "FixedPrices",
    "Limits",
    "MinimumPrice",
    "PresetSpec",
    "Rising",
    "SandboxChain",
    "SandboxConfig",
    "Scripted",
    "Spike",
    "SpotParams",
    "Steady",
    "price_path",
]
