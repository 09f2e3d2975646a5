"""Networks a policy can name: the presets, and custom ones defined in settings.

Why: a policy says ``network: polkadot`` and everything else (token, decimals, address format,
the Coretime chain's para id, block timing) follows from it, so amounts can be checked exactly
when the policy is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from agent.model.money import Token


@dataclass(frozen=True, slots=True)
class Network:
    """What the agent must know about one relay network and its Coretime chain."""

    name: str
    token: Token
    ss58_prefix: int
    """Address prefix of the Coretime chain (Paseo's Coretime wasm uses 0, like Polkadot)."""
    relay_ss58_prefix: int
    coretime_para_id: int = 1005
    relay_block_seconds: int = 6
    timeslice_period: int = 80
    """Relay blocks per timeslice (80 on every production chain)."""


POLKADOT = Network("polkadot", Token("DOT", 10), ss58_prefix=0, relay_ss58_prefix=0)
KUSAMA = Network("kusama", Token("KSM", 12), ss58_prefix=2, relay_ss58_prefix=2)
WESTEND = Network("westend", Token("WND", 12), ss58_prefix=42, relay_ss58_prefix=42)
PASEO = Network("paseo", Token("PAS", 10), ss58_prefix=0, relay_ss58_prefix=42)

PRESETS: Mapping[str, Network] = {n.name: n for n in (POLKADOT, KUSAMA, WESTEND, PASEO)}


@dataclass(frozen=True, slots=True)
class NetworkRegistry:
    """The presets plus the custom networks from settings; names are unique."""

    networks: Mapping[str, Network] = field(default_factory=lambda: dict(PRESETS))

    @classmethod
    def with_custom(cls, custom: Iterable[Network]) -> NetworkRegistry:
        merged = dict(PRESETS)
        for net in custom:
            if net.name in PRESETS:
                raise ValueError(
                    f"custom network '{net.name}' would shadow the preset of that name"
                )
            merged[net.name] = net
        return cls(merged)

    def get(self, name: str) -> Network | None:
        return self.networks.get(name)

    def names(self) -> list[str]:
        return sorted(self.networks)
