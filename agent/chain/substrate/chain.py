"""`SubstrateChain`: the chain port over real nodes (py-substrate-interface).

Why: the runtime holds one object per network that reads snapshots, encodes, dry-runs and
submits, whatever node answers. It is built from plain values (no settings object) and connects
lazily, so constructing it never touches the network.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agent.chain.substrate import capabilities as caps_mod
from agent.chain.substrate import encode as encode_mod
from agent.chain.substrate import preflight as preflight_mod
from agent.chain.substrate import snapshot as snap
from agent.chain.substrate import submit as submit_mod
from agent.chain.substrate.connection import ChainConnection, Session
from agent.chain.substrate.follow import HeadFollower
from agent.chain.substrate.metadata_cache import MetadataCache
from agent.chain.substrate.runtime_view import RuntimeView
from agent.chain.substrate.signer import Signers
from agent.errors import ChainIncompatible, ChainUnavailable
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import Capabilities, ChainSnapshot
from agent.model.network import Network
from agent.model.outcome import OutcomeStatus, PreflightResult, SubmissionOutcome
from agent.model.port import ChainPort, SignerSpec, SnapshotRequest

logger = logging.getLogger(__name__)


class SubstrateChain:
    """The Coretime chain (and optionally its relay) behind the `ChainPort` protocol."""

    def __init__(
        self,
        network: Network,
        coretime: Sequence[str],
        relay: Sequence[str] = (),
        timeout: float = 10.0,
        cache_dir: Path | None = None,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        submit: submit_mod.SubmitSettings | None = None,
    ) -> None:
        self.network = network
        self.metadata_cache = MetadataCache(cache_dir)
        self._coretime_urls = list(coretime)
        self._timeout = timeout

        def connection(label: str, urls: Sequence[str]) -> RuntimeView:
            return RuntimeView(
                ChainConnection(
                    label,
                    urls,
                    timeout=timeout,
                    cache=self.metadata_cache,
                    attempts=attempts,
                    backoff_seconds=backoff_seconds,
                )
            )

        self._coretime = connection("coretime", coretime)
        self._relay = connection("relay", relay) if relay else None
        self._signers = Signers(network.ss58_prefix)
        self._nonces = submit_mod.NonceTracker()
        self._submit = submit or submit_mod.SubmitSettings()
        self._caps: tuple[tuple[int, int, int], Capabilities] | None = None
        self.last_snapshot_round_trips = 0

    # -- helpers ---------------------------------------------------------------------------
    @property
    def round_trips(self) -> int:
        """RPC exchanges so far with every node of this network (a batch counts once)."""
        relay = self._relay.connection.round_trips.count if self._relay else 0
        return self._coretime.connection.round_trips.count + relay

    @property
    def rpc_methods(self) -> Counter[str]:
        """Calls so far by RPC method name (inside batches too), for tests and the bench."""
        total = Counter(self._coretime.connection.round_trips.methods)
        if self._relay is not None:
            total.update(self._relay.connection.round_trips.methods)
        return total

    def _view(self, chain: TargetChain) -> RuntimeView:
        if chain is TargetChain.CORETIME:
            return self._coretime
        if chain is TargetChain.RELAY and self._relay is not None:
            return self._relay
        raise ChainIncompatible(f"no endpoints configured for the {chain.value} chain")

    def _capabilities(self, session: Session) -> Capabilities:
        relay_layout = None
        relay_key = 0
        if self._relay is not None:
            relay_view = self._relay
            relay_layout = relay_view.connection.run(relay_view.layout)
            relay_key = relay_layout.spec_version
        key = (self._coretime.connection.generation, session.spec_version, relay_key)
        if self._caps is None or self._caps[0] != key:
            view = self._coretime
            version = view.version(session)
            found = caps_mod.detect(
                view.layout(session),
                spec_name=str(version.get("specName", "")),
                broker_storage_version=view.pallet_storage_version(session, "Broker"),
                runtime_apis=view.api_names(session),
                relay=relay_layout,
            )
            self._caps = (key, found)
        return self._caps[1]

    def follow_finalized(self, on_head: Callable[[int], None]) -> HeadFollower:
        """Call `on_head(number)` for every new finalized Coretime head, from a background
        thread with its own connection; `stop()` the returned follower to end it."""
        return HeadFollower(self._coretime_urls, on_head, timeout=self._timeout).start()

    def finalized_number(self) -> int:
        """The finalized Coretime head's number (two small RPCs): the daemon's window check."""

        def read(session: Session) -> int:
            head = session.request("chain_getFinalizedHead", [])
            header = session.request("chain_getHeader", [head])
            return int(str(header["number"]), 16)

        return int(self._coretime.connection.run(read))

    # -- the port --------------------------------------------------------------------------
    def capabilities(self) -> Capabilities:
        return self._coretime.connection.run(self._capabilities)

    def snapshot(self, request: SnapshotRequest) -> ChainSnapshot:
        start = self.round_trips
        caps = self.capabilities()
        counted_from = self.round_trips
        view = self._coretime
        core = view.connection.run(
            lambda s: snap.read_pinned(view, s, snap.read_coretime, caps, request)
        )
        if core.spec_version != caps.spec_version:  # the finalized block runs another runtime
            caps = self.capabilities()
        relay = None
        if self._relay is not None:
            relay_view = self._relay
            relay = relay_view.connection.run(
                lambda s: snap.read_pinned(relay_view, s, snap.read_relay, caps, request)
            )
        self.last_snapshot_round_trips = self.round_trips - counted_from
        logger.debug(
            "snapshot at #%s: %d round trips (+%d connect/capabilities)",
            core.block.number,
            self.last_snapshot_round_trips,
            counted_from - start,
        )
        return snap.assemble(self.network, caps, core, relay)

    def encode(self, call: CallSpec) -> bytes:
        view = self._view(call.chain)
        return view.connection.run(lambda s: encode_mod.encode(s, call))

    def preflight(self, call: CallSpec, signer: SignerSpec) -> PreflightResult:
        view = self._view(call.chain)
        return view.connection.run(
            lambda s: preflight_mod.preflight(s, view, self._signers, call, signer)
        )

    def submit(self, call: CallSpec, signer: SignerSpec) -> SubmissionOutcome:
        view = self._view(call.chain)
        connection = view.connection
        outcome = SubmissionOutcome(status=OutcomeStatus.UNKNOWN)
        for attempt in range(2):
            prepared = connection.run(
                lambda s: submit_mod.prepare(
                    s, self._signers, self._nonces, call, signer, self._submit
                )
            )

            def send(session: Session, prepared: submit_mod.Prepared = prepared) -> Any:
                return submit_mod.send(session, view.layout(session), prepared, self._submit)

            try:
                outcome, healthy = connection.run(send, retry=False)
            except ChainUnavailable:
                self._nonces.forget(prepared.account)
                raise
            if not healthy:
                connection.drop()
            if outcome.status in (OutcomeStatus.INCLUDED, OutcomeStatus.FAILED):
                self._nonces.used(prepared.account, prepared.nonce)
            else:
                self._nonces.forget(prepared.account)
            if attempt == 0 and submit_mod.nonce_trouble(outcome):
                logger.info("nonce %d refused (%s); resyncing", prepared.nonce, outcome.message)
                continue
            break
        return outcome

    def account_of(self, signer: SignerSpec) -> str:
        return self._signers.account_of(signer)

    def close(self) -> None:
        self._coretime.connection.close()
        if self._relay is not None:
            self._relay.connection.close()


def _is_a_chain_port(chain: SubstrateChain) -> ChainPort:
    """Never called: mypy checks here that `SubstrateChain` satisfies the port protocol."""
    return chain


__all__ = ["SubstrateChain"]
