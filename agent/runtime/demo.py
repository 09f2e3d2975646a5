"""`coretime-agent demo`: the real daemon against the sandbox network, for a few sales.

Why: a newcomer should see the agent do its job in one command, on a machine with no chain and
no keys. Nothing here decides anything: the daemon is the one `run` builds (`build_agent`,
`make_daemon`, APScheduler calling `Daemon.poll`), its chain port is a `SandboxChain` behind a
lock, and a clock thread moves the sandbox forward sale after sale, waiting for a tick after
every step. The scenario is the policies in ``examples/demo`` plus one market event: the first
rotation's sale ends at ten times the usual price (a spike), so renewals priced in that sale
cost 1000 PAS in the next one. Signers are dev keys (``//Alice``, ``//Bob``) set here; the
ledger is a temporary SQLite file unless one is given.
"""

from __future__ import annotations

import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from agent.chain.sandbox import FAST_BROKER, SandboxChain, Spike
from agent.chain.sandbox.pricing import sale_price, spot_price
from agent.errors import SettingsError
from agent.ledger import SpendSummary
from agent.model.policy import PolicySet
from agent.policy import load_policies
from agent.runtime.cycle import Cycle, TickReport
from agent.runtime.demo_chain import ChainWatch, LockedSandbox, SandboxClock, sim_time
from agent.runtime.demo_record import Check, DemoRecorder, RecordingAlerts, SaleStatus
from agent.runtime.quiet import captured_logs
from agent.runtime.sandbox_setup import build_network, dev_keys, roles_of
from agent.runtime.wiring import Agent, build_agent
from agent.settings import AgentSettings, SignerSettings

DEMO_POLICIES = Path(__file__).resolve().parents[2] / "examples" / "demo"
"""The demo's policies, next to the package in a source checkout."""
SPIKE = Spike(at=1, factor=10, length=1)
"""The first rotation's sale ends at 10× the first sale's price; the next ones at 1×."""
START_PRICE = 100
"""End price of the first sale, in whole tokens (what the bulk paras paid for their cores)."""


@dataclass(frozen=True)
class DemoOptions:
    policies: Path = DEMO_POLICIES
    sales: int = 3
    """Rotations to run through; the demo stops at the end of the last one's interlude."""
    speed: float = 0.0
    """Simulated seconds per wall second; 0 runs as fast as the daemon ticks."""
    step: int = 40
    """Relay blocks per clock step (one tick each)."""
    poll_seconds: float = 0.05
    ledger_url: str | None = None
    deadline_seconds: float = 110.0


@dataclass
class LedgerSummary:
    spend: list[SpendSummary]
    actions: dict[tuple[str, str], int]
    """(kind, status) → attempts."""


@dataclass
class DemoResult:
    recorder: DemoRecorder
    ledger: LedgerSummary
    checks: list[Check]
    elapsed: float
    ledger_url: str
    network: str
    error: str | None = None
    sim_end: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and all(c.ok for c in self.checks)


@dataclass
class LockedCycle(Cycle):
    """The daemon's cycle, holding the sandbox lock for a whole tick (no clock step inside)."""

    lock: Any = field(default_factory=threading.RLock)

    def tick(self, now: datetime) -> TickReport:
        with self.lock:
            return super().tick(now)


def load_demo_policies(path: Path, settings: AgentSettings) -> PolicySet:
    if not path.exists():
        raise SettingsError(
            f"demo policies not found at {path}",
            hint="run from a source checkout or pass --policies examples/demo",
        )
    policies = load_policies([path], settings.network_registry())
    networks = sorted({p.network.name for p in policies.policies})
    if len(networks) != 1:
        raise SettingsError(
            f"the demo runs one sandbox network; these policies name {', '.join(networks)}",
            hint="keep the demo's policies on one network (the examples use paseo)",
        )
    return policies


def run_demo(
    options: DemoOptions,
    base: AgentSettings,
    on_update: Callable[[DemoRecorder], None] | None = None,
) -> DemoResult:
    """Run the daemon against a fresh sandbox until ``options.sales`` rotations have passed."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="coretime-demo-") as folder:
        state = Path(folder)
        ledger_url = options.ledger_url or f"sqlite:///{state / 'ledger.sqlite'}"
        policies = load_demo_policies(options.policies, base)
        keys = dev_keys(policies.policies)
        settings = base.model_copy(
            update={
                "signers": {n: SignerSettings(secret=SecretStr(k)) for n, k in keys.items()},
                "state_dir": state,
                "ledger_url": ledger_url,
                "dry_run": False,
                "endpoints": {},
                "webhooks": {},
                "policies": options.policies,
            }
        )
        network = policies.policies[0].network
        chain = build_network(
            network, policies.policies, broker=FAST_BROKER, end_price=START_PRICE, price_path=SPIKE
        )
        port = LockedSandbox(chain)
        agent = build_agent(
            settings, [options.policies], port_factory=lambda _: port, ledger_url=ledger_url
        )
        try:
            return _drive(options, agent, port, network.name, ledger_url, started, on_update)
        finally:
            agent.close()


def _drive(
    options: DemoOptions,
    agent: Agent,
    port: LockedSandbox,
    network: str,
    ledger_url: str,
    started: float,
    on_update: Callable[[DemoRecorder], None] | None,
) -> DemoResult:
    chain = port.chain
    roles = roles_of(agent.policies.policies)
    watch = ChainWatch(paras=roles.bulk, last_block=chain.block_number)
    recorder = DemoRecorder(agent.policies, watch)
    base_cycle = agent.make_cycle()
    alerts = RecordingAlerts(base_cycle.alerts.notifier)
    values = {f.name: getattr(base_cycle, f.name) for f in fields(base_cycle) if f.init}
    agent.cycle = LockedCycle(**{**values, "alerts": alerts}, lock=port.lock)
    daemon = agent.make_daemon(poll_seconds=options.poll_seconds)
    block_seconds = chain.config.network.relay_block_seconds
    daemon.clock = lambda: sim_time(chain.relay_number, block_seconds)
    deadline = started + options.deadline_seconds
    timed_out: list[str] = []

    def finished() -> bool:
        if time.monotonic() > deadline:
            timed_out.append(f"stopped after {options.deadline_seconds:.0f} s (deadline)")
            return True
        sale = chain.world.broker.sale
        return (
            len(watch.rotations) >= options.sales
            and sale is not None
            and chain.relay_number >= sale.sale_start
        )

    def on_step() -> None:
        watch.collect(chain)
        recorder.on_status(sale_status(chain, len(watch.rotations), block_seconds))
        if on_update:
            on_update(recorder)

    clock = SandboxClock(
        port,
        step=options.step,
        speed=options.speed,
        finished=finished,
        on_step=on_step,
        then=daemon.stop,
    )

    def on_tick(report: TickReport) -> None:
        recorder.on_tick(report, alerts.drain())
        clock.ticked(report.blocks.get(network, -1))
        if on_update:
            on_update(recorder)

    daemon.on_tick = on_tick
    recorder.on_status(sale_status(chain, 0, block_seconds))
    with captured_logs(recorder.logs), _kept_signals():
        clock.start()
        daemon.run_forever()
        clock.halt()
        clock.join(timeout=10)
    with port.lock:
        watch.collect(chain)
        end = sim_time(chain.relay_number, block_seconds)
    summary = ledger_summary(agent, end)
    error = clock.error or (timed_out[0] if timed_out else None)
    return DemoResult(
        recorder=recorder,
        ledger=summary,
        checks=recorder.checks(),
        elapsed=time.monotonic() - started,
        ledger_url=ledger_url if options.ledger_url else "temporary SQLite file (deleted)",
        network=network,
        error=error,
        sim_end=end,
        extra={"steps": clock.steps},
    )


def sale_status(chain: SandboxChain, sale_index: int, block_seconds: int) -> SaleStatus:
    """Where the sandbox's current sale is (call under the lock)."""
    sale, now = chain.world.broker.sale, chain.relay_number
    if sale is None:
        phase, price, end = "no sale", 0, 0
    else:
        end = sale.end_price
        price = sale_price(sale, now)
        if now <= sale.sale_start:
            phase = "interlude"
        elif now < sale.sale_start + sale.leadin_length:
            phase = "lead-in"
        else:
            phase = "fixed price"
    spot = spot_price(chain.world.on_demand.traffic, chain.config.spot_params().base_fee)
    begin = sale.region_begin if sale else None
    at = sim_time(now, block_seconds)
    return SaleStatus(now, sale_index, phase, price, end, spot, at, begin)


def ledger_summary(agent: Agent, now: datetime) -> LedgerSummary:
    """Spend per policy and attempts by kind and outcome, read back from the ledger."""
    history = agent.ledger.history(limit=1_000_000)
    counts = Counter((r.kind, r.status.value) for r in history)
    return LedgerSummary(agent.ledger.spend_summary(now), dict(sorted(counts.items())))


@contextmanager
def _kept_signals() -> Iterator[None]:
    """`run_forever` installs its own handlers; give the process its own back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kinds = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    saved = {kind: signal.getsignal(kind) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in saved.items():
            signal.signal(kind, handler)
