"""The daemon: follow the Coretime chain's finalized head and tick once per block window.

Why: APScheduler 3.x only calls `Daemon.poll`; everything else is the cycle's. One job, never two
at once (`max_instances=1`), missed runs coalesced, job errors and misses turned into health
problems so a failing tick is never silent. SIGTERM lets the action in flight finish (never
stopping between an intent and its recorded submission); SIGHUP reloads the policies.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.background import BackgroundScheduler

from agent.errors import AgentError
from agent.ledger.leader import LeaderLock
from agent.runtime.cycle import Cycle, TickReport
from agent.runtime.health import Health
from agent.runtime.reload import PolicyReloader

log = logging.getLogger(__name__)

HeadReader = Callable[[], dict[str, int]]
"""Returns the finalized Coretime block number per network (cheap: no snapshot)."""


@dataclass
class Daemon:
    cycle: Cycle
    reloader: PolicyReloader
    leader: LeaderLock
    health: Health
    heads: HeadReader
    window_blocks: int = 1
    poll_seconds: float = 6.0
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    on_tick: Callable[[TickReport], None] | None = None
    subscribe: Callable[[Callable[[], None]], Callable[[], None]] | None = None
    """Starts finalized-head subscriptions that call `wake`; returns how to stop them."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _last_block: dict[str, int] = field(default_factory=dict)
    _scheduler: Any = None

    def poll(self) -> None:
        """One scheduler run: leadership, reload, then a tick when a new window has begun."""
        if self._stop.is_set():
            return
        self.health.last_poll_at = self.clock()
        if not self.leader.try_acquire():
            if self.health.leader:
                log.warning("lost the leader lock; standing by")
            self.health.leader = False
            self.cycle.metrics.leader.set(0)
            self.health.ready = True
            return
        if not self.health.leader:
            log.info("holding the leader lock; acting")
            self.cycle.reconciled.clear()  # a new leader reconciles before planning
        self.health.leader = True
        self.cycle.metrics.leader.set(1)
        self.cycle.policies = self.reloader.maybe_reload()
        self.cycle.metrics.policies.set(len(self.cycle.policies.policies))
        try:
            heads = self.heads()
        except AgentError as exc:
            self.health.degrade("chain", exc.one_line())
            log.error("cannot read heads: %s", exc.one_line())
            return
        if self._last_block and not self._window_passed(heads):
            return
        report = self.cycle.tick(self.clock())
        self._last_block.update(report.blocks or heads)
        for network, head in heads.items():
            self.cycle.metrics.head_lag.labels(network).set(
                max(0, head - report.blocks.get(network, head))
            )
        self.health.ready = True
        if self.on_tick:
            self.on_tick(report)

    def _window_passed(self, heads: dict[str, int]) -> bool:
        return any(
            head - self._last_block.get(net, -(10**9)) >= self.window_blocks
            for net, head in heads.items()
        )

    # -- process lifecycle ------------------------------------------------------------------
    def run_forever(self) -> None:
        self.health.started_at = self.clock()
        self.health.stale_after = timedelta(seconds=max(60.0, self.poll_seconds * 10))
        self._install_signals()
        self.reloader.watch()
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_listener(
            self._on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        scheduler.add_job(
            self.poll,
            "interval",
            seconds=self.poll_seconds,
            id="poll",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self.poll_seconds * 2)),
            next_run_time=datetime.now(UTC),
        )
        self._scheduler = scheduler
        scheduler.start()
        unsubscribe = self.subscribe(self.wake) if self.subscribe else None
        log.info(
            "daemon running: poll every %.1fs, one tick per %d block(s)",
            self.poll_seconds,
            self.window_blocks,
        )
        try:
            while not self._stop.wait(0.5):
                pass
        finally:
            log.info("stopping: waiting for the tick in flight to finish")
            if unsubscribe is not None:
                unsubscribe()
            scheduler.shutdown(wait=True)
            self.reloader.stop()
            self.leader.release()
            log.info("stopped")

    def wake(self) -> None:
        """A new finalized head: run the poll now instead of at its next interval."""
        if self._scheduler is not None and not self._stop.is_set():
            try:
                self._scheduler.modify_job("poll", next_run_time=datetime.now(UTC))
            except Exception:
                log.debug("could not wake the poll job", exc_info=True)

    def stop(self, *_: object) -> None:
        self._stop.set()
        self.cycle.should_stop = self._stop.is_set

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGHUP, self.reloader.request)

    def _on_job_event(self, event: Any) -> None:
        if getattr(event, "exception", None) is not None:
            self.health.degrade(
                "tick", f"tick crashed: {type(event.exception).__name__}: {event.exception}"
            )
            log.error("tick crashed: %s", event.exception, exc_info=event.exception)
        else:  # a run skipped because the previous one is still going: coalesced, not a fault
            log.debug("poll skipped or coalesced (job event %s)", event.code)
