"""Health and readiness as the HTTP endpoints and metrics report them.

Why: a daemon that fails silently is worse than one that stops. Every degraded condition (a bad
policy reload, a failing tick, an unreachable chain, a lost leader lease) is recorded here with
its reason, and `/healthz` shows it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class Health:
    started_at: datetime | None = None
    ready: bool = False
    leader: bool = False
    last_tick_at: datetime | None = None
    last_tick_ok: bool | None = None
    ticks: int = 0
    last_poll_at: datetime | None = None
    stale_after: timedelta | None = None
    """When set: no poll for this long (a hung tick, a dead scheduler) is a problem."""
    problems: dict[str, str] = field(default_factory=dict)
    """Degraded reasons by topic (policies, chain, tick, ledger, leader)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def degrade(self, topic: str, reason: str) -> None:
        with self._lock:
            self.problems[topic] = reason

    def clear(self, topic: str) -> None:
        with self._lock:
            self.problems.pop(topic, None)

    def _current_problems(self) -> dict[str, str]:
        problems = dict(self.problems)
        if self.stale_after is not None and self.last_poll_at is not None:
            age = datetime.now(UTC) - self.last_poll_at
            if age > self.stale_after:
                problems["stale"] = f"no poll for {int(age.total_seconds())}s"
        return problems

    @property
    def healthy(self) -> bool:
        with self._lock:
            return not self._current_problems()

    def report(self) -> dict[str, Any]:
        with self._lock:
            problems = self._current_problems()
            return {
                "status": "ok" if not problems else "degraded",
                "ready": self.ready,
                "leader": self.leader,
                "ticks": self.ticks,
                "last_tick_at": self.last_tick_at.isoformat() if self.last_tick_at else None,
                "last_tick_ok": self.last_tick_ok,
                "last_poll_at": self.last_poll_at.isoformat() if self.last_poll_at else None,
                "problems": problems,
            }
