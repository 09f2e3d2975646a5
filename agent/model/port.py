"""The chain port: the one interface the runtime uses to reach a network.

Why: two implementations stand behind it, `agent.chain.substrate` (real nodes) and
`agent.chain.sandbox` (the in-process network), and the dry-run submitter wraps either. The
runtime never learns which one it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr

from agent.model.actions import CallSpec
from agent.model.chain import Capabilities, ChainSnapshot
from agent.model.outcome import PreflightResult, SubmissionOutcome


@dataclass(frozen=True, slots=True)
class ProxySpec:
    """Submit as `Proxy.proxy(real, force_proxy_type, call)` so the hot key cannot move funds."""

    real: str  # 0x account id or SS58 of the proxied account
    proxy_type: str | None = None  # e.g. "CoretimeRenewer", "Broker"


@dataclass(frozen=True, slots=True)
class SignerSpec:
    """A named signer. The secret is a URI (``//Alice``), a mnemonic or a hex seed."""

    name: str
    secret: SecretStr
    proxy: ProxySpec | None = None

    def __repr__(self) -> str:
        return f"SignerSpec(name={self.name!r}, secret=**********, proxy={self.proxy!r})"


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """What a tick needs read: the paras of the policies and the accounts whose balance matters."""

    para_ids: Sequence[int]
    accounts: Sequence[str] = ()  # 0x account ids on the Coretime chain
    relay_accounts: Sequence[str] = ()  # 0x account ids on the relay
    region_owners: Sequence[str] = ()  # 0x account ids whose regions are listed


class ChainPort(Protocol):
    def capabilities(self) -> Capabilities: ...

    def snapshot(self, request: SnapshotRequest) -> ChainSnapshot: ...

    def encode(self, call: CallSpec) -> bytes: ...

    def preflight(self, call: CallSpec, signer: SignerSpec) -> PreflightResult: ...

    def submit(self, call: CallSpec, signer: SignerSpec) -> SubmissionOutcome: ...

    def account_of(self, signer: SignerSpec) -> str:
        """The 0x account id the signer (or its proxied account) pays from."""
        ...

    def close(self) -> None: ...
