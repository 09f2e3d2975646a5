"""A sandbox network shaped after a policy set: which paras hold cores, and who signs.

Why: `demo` and `simulate` run real policies against `SandboxChain`, and the policies already
say what each para needs. A para whose policy renews (or manages auto-renewal) starts with a
renewable bulk core bought in the current sale; a para that purchases starts with nothing; an
on-demand-only para is a parathread with work arriving in its pool. Signers get well-known dev
keys (``//Alice`` is every para's sudo key, payers are ``//Bob``, ``//Charlie``, ...): the
sandbox holds no real secret and none is ever read from a policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import SecretStr

from agent.chain.sandbox import PresetSpec, SandboxChain, SandboxConfig
from agent.chain.sandbox.pricing import PricePath
from agent.model.chain import BrokerConfig
from agent.model.network import Network
from agent.model.policy import LoadedPolicy, SubmitPath
from agent.model.port import SignerSpec

PARA_SUDO = "//Alice"
"""The preset's holder: it buys the bulk paras' first cores and is every para's sudo key."""
PAYER_KEYS = ("//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie")
"""Dev keys handed to the policies' paying signers, in order of their names."""


@dataclass(frozen=True, slots=True)
class Roles:
    """The paras of one network by the coretime they start with."""

    bulk: tuple[int, ...]
    parathreads: tuple[int, ...]
    bare: tuple[int, ...]
    """Registered paras with no core and no work arriving (purchasers, observers)."""


def roles_of(policies: Sequence[LoadedPolicy]) -> Roles:
    bulk: set[int] = set()
    threads: set[int] = set()
    bare: set[int] = set()
    for loaded in policies:
        spec = loaded.policy.spec
        if spec.purchase.enabled:
            bare.add(spec.para_id)
        elif spec.renewal.enabled or spec.auto_renew.manage:
            bulk.add(spec.para_id)
        elif spec.on_demand.enabled:
            threads.add(spec.para_id)
        else:
            bare.add(spec.para_id)
    threads -= bulk
    bare -= bulk | threads
    return Roles(tuple(sorted(bulk)), tuple(sorted(threads)), tuple(sorted(bare)))


def sudo_signers(policies: Sequence[LoadedPolicy]) -> set[str]:
    """Signer names that send a para's XCM with its sudo key (`autoRenew.submit: sudo`)."""
    names = set()
    for loaded in policies:
        auto = loaded.policy.spec.auto_renew
        if auto.manage and auto.submit is SubmitPath.SUDO:
            names.add(auto.signer or loaded.policy.spec.signer)
    return names


def dev_keys(policies: Sequence[LoadedPolicy]) -> dict[str, str]:
    """Signer name → dev key URI: para sudo signers get ``//Alice``, payers the others."""
    sudo = sudo_signers(policies)
    names = {p.policy.spec.signer for p in policies}
    names |= {s for p in policies if (s := p.policy.spec.auto_renew.signer)}
    payers = sorted(names - sudo)
    keys = {name: PAYER_KEYS[i % len(PAYER_KEYS)] for i, name in enumerate(payers)}
    keys.update(dict.fromkeys(sudo, PARA_SUDO))
    return keys


def dev_signers(policies: Sequence[LoadedPolicy]) -> dict[str, SignerSpec]:
    return {name: SignerSpec(name, SecretStr(uri)) for name, uri in dev_keys(policies).items()}


def build_network(
    network: Network,
    policies: Sequence[LoadedPolicy],
    *,
    broker: BrokerConfig,
    end_price: int,
    price_path: PricePath | None,
) -> SandboxChain:
    """A sandbox for ``network`` holding every para of ``policies`` in its starting role.

    ``end_price`` is in whole tokens of the network: the first sale's end price, which the
    bulk paras paid for their cores (and so their first renewal price).
    """
    roles = roles_of(policies)
    spec = PresetSpec(
        bulk_paras=roles.bulk,
        parathreads=roles.parathreads,
        broker=broker,
        end_price=end_price,
        spare_cores=2 + len(roles.bare),
        holder=PARA_SUDO,
        price_path=price_path,
    )
    chain = SandboxChain.preset(spec, SandboxConfig(network=network, sudo=PARA_SUDO))
    for para in roles.bare:
        chain.register_para(para, lifecycle="Parathread", sudo=PARA_SUDO)
    return chain
