"""The sandbox as the demo's daemon sees it: one lock, a finalized head, and a moving clock.

Why: the daemon ticks in APScheduler's worker thread while the demo's clock advances the
sandbox in another, and `SandboxChain` is not thread-safe. `LockedSandbox` is the chain port
the daemon holds: every call takes one re-entrant lock, and it answers `finalized_number()`
(the daemon's cheap head read) under the same lock. `SandboxClock` steps the sandbox forward
under that lock, in lockstep with the daemon: after each step it waits until a tick has read
the new head, then sleeps to keep the chosen pace. `ChainWatch` notes what the chain did on its
own between ticks (rotations, auto-renewals), which no agent action records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from agent.chain.sandbox import SandboxChain
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec
from agent.model.chain import Capabilities, ChainSnapshot
from agent.model.outcome import PreflightResult, SubmissionOutcome
from agent.model.port import SignerSpec, SnapshotRequest

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""Simulated wall time at relay block 0: keeps budgets by month and rolling windows stable."""


def sim_time(relay_block: int, block_seconds: int = 6) -> datetime:
    """The simulated time of a relay block: `EPOCH` plus ``block_seconds`` per block."""
    return EPOCH + timedelta(seconds=relay_block * block_seconds)


class LockedSandbox:
    """A `ChainPort` over one `SandboxChain`, safe to share between threads."""

    def __init__(self, chain: SandboxChain) -> None:
        self.chain = chain
        self.lock = threading.RLock()

    def capabilities(self) -> Capabilities:
        with self.lock:
            return self.chain.capabilities()

    def snapshot(self, request: SnapshotRequest) -> ChainSnapshot:
        with self.lock:
            return self.chain.snapshot(request)

    def encode(self, call: CallSpec) -> bytes:
        with self.lock:
            return self.chain.encode(call)

    def preflight(self, call: CallSpec, signer: SignerSpec) -> PreflightResult:
        with self.lock:
            return self.chain.preflight(call, signer)

    def submit(self, call: CallSpec, signer: SignerSpec) -> SubmissionOutcome:
        with self.lock:
            return self.chain.submit(call, signer)

    def account_of(self, signer: SignerSpec) -> str:
        with self.lock:
            return self.chain.account_of(signer)

    def close(self) -> None:
        """The sandbox outlives the agent: the demo reads it after the daemon stopped."""

    def finalized_number(self) -> int:
        """The newest Coretime block (the sandbox finalizes every block at once)."""
        with self.lock:
            return self.chain.block_number


@dataclass(frozen=True, slots=True)
class Rotation:
    sale: int
    relay_block: int
    end_price: int


@dataclass(frozen=True, slots=True)
class AutoRenewed:
    """A renewal the Broker made by itself at a rotation, paid by a para's sibling account."""

    sale: int
    para_id: int
    core: int
    price: int
    relay_block: int


@dataclass
class ChainWatch:
    """Rotations and on-chain auto-renewals seen so far (call `collect` under the lock)."""

    paras: tuple[int, ...]
    rotations: list[Rotation] = field(default_factory=list)
    auto_renewed: list[AutoRenewed] = field(default_factory=list)
    auto_failed: list[tuple[int, int, int]] = field(default_factory=list)
    """(relay block, sale, core) of each `AutoRenewalFailed`."""
    last_block: int = 0

    def collect(self, chain: SandboxChain) -> None:
        """Read the events of the blocks made since the last call (steps and submissions)."""
        payers = {sibling_account(p): p for p in self.paras}
        events = chain.events_since(self.last_block)
        self.last_block = chain.block_number
        for _, item in events:
            a = item.attributes
            if item.name == "SaleInitialized":
                self.rotations.append(
                    Rotation(len(self.rotations) + 1, chain.relay_number, int(a["end_price"]))
                )
            elif item.name == "Renewed" and a.get("who") in payers:
                self.auto_renewed.append(
                    AutoRenewed(
                        len(self.rotations),
                        payers[str(a["who"])],
                        int(a["core"]),
                        int(a["price"]),
                        chain.relay_number,
                    )
                )
            elif item.name == "AutoRenewalFailed":
                self.auto_failed.append((chain.relay_number, len(self.rotations), int(a["core"])))


class SandboxClock(threading.Thread):
    """Advances the sandbox ``step`` relay blocks at a time until ``finished()`` says so.

    ``speed`` is simulated seconds per wall second (0: as fast as the daemon ticks). Each step
    waits for a tick that read the new head, so no step goes unseen; ``on_step`` runs under the
    lock after each step. ``halt()`` (or an error) ends the loop; ``then`` runs last.
    """

    def __init__(
        self,
        port: LockedSandbox,
        *,
        step: int,
        speed: float,
        finished: Callable[[], bool],
        on_step: Callable[[], None],
        then: Callable[[], None],
        tick_timeout: float = 15.0,
    ) -> None:
        super().__init__(name="sandbox-clock", daemon=True)
        self.port, self.step, self.speed = port, step, speed
        self._finished, self._on_step, self._then = finished, on_step, then
        self._tick_timeout = tick_timeout
        self._ticked = threading.Condition()
        self._seen_block = -1
        self._halt = threading.Event()
        self.error: str | None = None
        self.steps = 0

    def ticked(self, block: int) -> None:
        """The daemon read ``block`` (called from its `on_tick`)."""
        with self._ticked:
            self._seen_block = max(self._seen_block, block)
            self._ticked.notify_all()

    def halt(self) -> None:
        self._halt.set()
        with self._ticked:
            self._ticked.notify_all()

    def run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # the demo reports it; the daemon must still stop
            self.error = f"sandbox clock crashed: {type(exc).__name__}: {exc}"
        finally:
            self._then()

    def _loop(self) -> None:
        chain = self.port.chain
        if not self._wait_for(self.port.finalized_number()):
            return
        while not self._halt.is_set():
            started = time.monotonic()
            with self.port.lock:
                chain.advance(self.step)
                self._on_step()
                head, done = chain.block_number, self._finished()
            self.steps += 1
            if not self._wait_for(head) or done:
                return
            if self.speed > 0:
                pause = self.step * chain.config.network.relay_block_seconds / self.speed
                self._halt.wait(max(0.0, pause - (time.monotonic() - started)))

    def _wait_for(self, block: int) -> bool:
        deadline = time.monotonic() + self._tick_timeout
        with self._ticked:
            while self._seen_block < block and not self._halt.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    self.error = (
                        f"the daemon did not tick within {self._tick_timeout:.0f} s "
                        f"of block {block}"
                    )
                    return False
                self._ticked.wait(left)
        return not self._halt.is_set()
