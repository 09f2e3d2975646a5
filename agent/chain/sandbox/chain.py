"""`SandboxChain`: an in-process Coretime chain and relay behind the chain port.

Why: `coretime-agent demo` and `simulate` need a network that runs on any machine, with no
keys and no node, fast enough to forecast a year of sales in a second; and tests need a
network whose behaviour is known. The sandbox is deterministic (no threads, no wall clock:
time moves only when the caller advances it), and it is trusted only as far as
tests/conformance compares it with the real runtime in chopsticks.

Use it like the real client (`snapshot`, `preflight`, `submit`), plus what only a simulation
can do: move the clock (`advance`, `advance_to`, `jump_to`), set balances and para activity,
force the next sale's price (`set_price_path`), and save or restore the whole network.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from agent.chain.addresses import to_account_id
from agent.chain.sandbox import snapshot as reading
from agent.chain.sandbox.balances import Ledger
from agent.chain.sandbox.calls import check_call
from agent.chain.sandbox.clock import BlockRecord, Timeline
from agent.chain.sandbox.config import SandboxConfig
from agent.chain.sandbox.encoding import encode_call
from agent.chain.sandbox.keys import KeyRing
from agent.chain.sandbox.pricing import PricePath
from agent.chain.sandbox.scenario import PresetSpec, set_up
from agent.chain.sandbox.submission import WEIGHT, submit
from agent.chain.sandbox.world import (
    BrokerState,
    Clock,
    Env,
    OnDemandQueue,
    ParaSim,
    World,
)
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import Capabilities, ChainSnapshot
from agent.model.outcome import (
    ChainEvent,
    OutcomeStatus,
    PreflightResult,
    SubmissionOutcome,
)
from agent.model.port import SignerSpec, SnapshotRequest

BURN_ACCOUNT = "0x" + (b"modl" + b"py/ctbrn").ljust(32, b"\0").hex()
"""Where sale revenue goes on Polkadot, Kusama and Paseo (burnt about daily)."""


@dataclass(frozen=True)
class Checkpoint:
    """A saved network: restoring it puts every balance, sale and queue back."""

    world: World
    coretime_log: tuple[BlockRecord, ...]
    relay_log: tuple[BlockRecord, ...]


class SandboxChain:
    """The sandbox network; implements `agent.model.port.ChainPort`."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.keys = KeyRing()
        cfg, start = self.config, self.config.start_relay
        spot = cfg.spot_params()
        world = World(
            clock=Clock(block=0, relay=start, prev_relay=start, relay_processed=start),
            broker=BrokerState(),
            coretime=Ledger(cfg.coretime_ed()),
            relay=Ledger(cfg.relay_ed()),
            on_demand=OnDemandQueue(traffic=spot.traffic_floor),
        )
        env = Env(
            emit=lambda item: None,
            adapter=cfg.price_adapter(),
            limits=cfg.limits,
            spot=spot,
            revenue_account=BURN_ACCOUNT,
            auto_renew_keeps_old_core=cfg.auto_renew_keeps_old_core,
        )
        self._timeline = Timeline(world, env, cfg.keep_blocks)
        self.sudo_account = self.keys.account(cfg.sudo, "sudo")

    @classmethod
    def preset(
        cls, spec: PresetSpec | None = None, config: SandboxConfig | None = None
    ) -> SandboxChain:
        """A configured network: sales started, accounts funded, bulk paras holding renewable
        cores, parathreads waiting; left in the first sale's fixed-price phase."""
        chain = cls(config)
        set_up(chain, spec or PresetSpec())
        return chain

    # -- the chain port ---------------------------------------------------------------------
    def capabilities(self) -> Capabilities:
        return reading.capabilities(self.config)

    def snapshot(self, request: SnapshotRequest) -> ChainSnapshot:
        return reading.snapshot(self.world, self._timeline.env, self.config, request)

    def encode(self, call: CallSpec) -> bytes:
        """Deterministic bytes for ``call``; NOT SCALE (see `agent.chain.sandbox.encoding`)."""
        check_call(call)
        return encode_call(call)

    def account_of(self, signer: SignerSpec) -> str:
        if signer.proxy is not None:
            return to_account_id(signer.proxy.real)
        return self.keys.account(signer.secret, signer.name)

    def submit(self, call: CallSpec, signer: SignerSpec) -> SubmissionOutcome:
        who = self.keys.account(signer.secret, signer.name)
        if signer.proxy is not None:
            call = CallSpec(
                call.chain,
                "Proxy",
                "proxy",
                {
                    "real": self.account_of(signer),
                    "force_proxy_type": signer.proxy.proxy_type,
                    "call": call,
                },
            )
        return submit(
            self._timeline, self.config, call, who, self.account_of(signer), self.sudo_account
        )

    def preflight(self, call: CallSpec, signer: SignerSpec) -> PreflightResult:
        """Dry-run ``call`` in the next block of a copy of the network."""
        outcome = self.fork(with_events=False).submit(call, signer)
        paying = call.chain is not TargetChain.PARACHAIN
        return PreflightResult(
            ok=outcome.status is OutcomeStatus.INCLUDED,
            weight_ref_time=WEIGHT["ref_time"],
            weight_proof_size=WEIGHT["proof_size"],
            partial_fee=self.config.flat_fee() if paying else 0,
            error=outcome.error,
            message=outcome.message,
        )

    def close(self) -> None:
        """Nothing to release: the sandbox holds no connection."""

    # -- the clock --------------------------------------------------------------------------
    @property
    def world(self) -> World:
        """The live state, for reading in tests and views; change it only through methods."""
        return self._timeline.world

    @property
    def relay_number(self) -> int:
        return self.world.clock.relay

    @property
    def block_number(self) -> int:
        return self.world.clock.block

    def advance(self, relay_blocks: int) -> None:
        """Move time forward by at least ``relay_blocks`` (whole Coretime blocks of 2)."""
        self._timeline.advance_to(self.relay_number + relay_blocks)

    def advance_to(self, relay_number: int) -> None:
        self._timeline.advance_to(relay_number)

    def new_block(self) -> BlockRecord:
        return self._timeline.produce_block(self.relay_number + 2)

    def jump_to(self, relay_number: int) -> BlockRecord:
        """One block whose relay parent is ``relay_number`` (chopsticks' `relayParentNumber`)."""
        return self._timeline.produce_block(relay_number)

    # -- events -----------------------------------------------------------------------------
    def block_events(self, number: int | None = None) -> list[ChainEvent]:
        """Events of a recent Coretime block (the latest by default); [] if none or forgotten."""
        wanted = self.block_number if number is None else number
        for record in reversed(self._timeline.coretime_log):
            if record.number == wanted:
                return list(record.events)
        return []

    def events_since(self, block: int) -> list[tuple[int, ChainEvent]]:
        """Coretime events of the remembered blocks after ``block``, oldest first."""
        return [
            (r.number, e) for r in self._timeline.coretime_log if r.number > block for e in r.events
        ]

    def relay_events_since(self, relay_block: int) -> list[tuple[int, ChainEvent]]:
        return [
            (r.number, e)
            for r in self._timeline.relay_log
            if r.number > relay_block
            for e in r.events
        ]

    # -- setting the network up (no block is produced) --------------------------------------
    def set_balance(self, account: str, planck: int, *, relay: bool = False) -> None:
        ledger = self.world.relay if relay else self.world.coretime
        ledger.set_balance(to_account_id(account), planck)

    def balance(self, account: str, *, relay: bool = False) -> int:
        ledger = self.world.relay if relay else self.world.coretime
        return ledger.balance(to_account_id(account))

    def account(self, secret: str) -> str:
        """The 0x account id of a secret URI such as ``//Alice``."""
        return self.keys.account(secret)

    def fund(self, secrets_or_accounts: Sequence[str], planck: int, *, relay: bool = True) -> None:
        """Give each account ``planck`` on the Coretime chain (and on the relay)."""
        for item in secrets_or_accounts:
            account = item if not item.startswith("//") else self.account(item)
            self.set_balance(account, planck)
            if relay:
                self.set_balance(account, planck, relay=True)

    def register_para(
        self,
        para_id: int,
        *,
        lifecycle: str = "Parachain",
        sudo: str | None = None,
        pending: int = 0,
        inflow_every: int | None = None,
    ) -> None:
        """Make a para known to the relay; ``sudo`` is its sudo key (URI or 0x account)."""
        account = None if sudo is None else sudo if sudo.startswith("0x") else self.account(sudo)
        now = self.relay_number
        self.world.paras[para_id] = ParaSim(
            para_id, lifecycle, account, pending, now, inflow_every or None
        )

    def set_pending_extrinsics(self, para_id: int, count: int) -> None:
        para = self.world.paras[para_id]
        para.pending_base, para.pending_since = count, self.relay_number

    def add_proxy(self, real: str, delegate: str, proxy_type: str) -> None:
        real_id = self.account(real) if real.startswith("//") else to_account_id(real)
        delegate_id = (
            self.account(delegate) if delegate.startswith("//") else to_account_id(delegate)
        )
        self.world.proxies[(real_id, delegate_id)] = proxy_type

    def set_price_path(self, path: PricePath | None) -> None:
        """From the next rotation on, ``path`` sets each new sale's end price."""
        self.world.broker.price_path = path

    def force_next_end_price(self, planck: int) -> None:
        """The next sale's end price, once (like `ScheduledBasePrice`)."""
        self.world.broker.forced_end_price = planck

    def set_spot_traffic(self, traffic: int) -> None:
        """Set the relay's on-demand traffic multiplier (FixedU128, 10^18 = 1.0)."""
        self.world.on_demand.traffic = traffic

    # -- saving -----------------------------------------------------------------------------
    def save(self) -> Checkpoint:
        tl = self._timeline
        logs = copy.deepcopy((tuple(tl.coretime_log), tuple(tl.relay_log)))
        return Checkpoint(copy.deepcopy(tl.world), *logs)

    def restore(self, checkpoint: Checkpoint) -> None:
        tl = self._timeline
        tl.world = copy.deepcopy(checkpoint.world)
        tl.world.clock.epoch += 1
        coretime_log, relay_log = copy.deepcopy((checkpoint.coretime_log, checkpoint.relay_log))
        tl.coretime_log.clear()
        tl.coretime_log.extend(coretime_log)
        tl.relay_log.clear()
        tl.relay_log.extend(relay_log)

    def fork(self, *, with_events: bool = True) -> SandboxChain:
        """An independent copy of the whole network (for dry-runs and what-ifs)."""
        twin = SandboxChain.__new__(SandboxChain)
        twin.config, twin.keys, twin.sudo_account = self.config, self.keys, self.sudo_account
        tl = self._timeline
        twin._timeline = Timeline(copy.deepcopy(tl.world), tl.env, tl.keep_blocks)
        if with_events:
            logs = copy.deepcopy((tuple(tl.coretime_log), tuple(tl.relay_log)))
            twin._timeline.coretime_log.extend(logs[0])
            twin._timeline.relay_log.extend(logs[1])
        return twin
