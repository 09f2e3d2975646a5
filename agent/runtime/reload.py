"""Hot reload of the policy folder: on file change or SIGHUP, at the start of the next tick.

Why: policies change by GitOps while the daemon runs. A valid change replaces the set whole; an
invalid one keeps the last valid set acting, logs every problem and marks health degraded, so a
bad edit never empties the agent (architecture invariant 7).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from agent.errors import PolicyError
from agent.model.policy import PolicySet
from agent.runtime.health import Health

log = logging.getLogger(__name__)


class PolicyReloader:
    def __init__(
        self,
        paths: Sequence[Path],
        load: Callable[[Sequence[Path]], PolicySet],
        health: Health,
        current: PolicySet,
    ) -> None:
        self.paths = list(paths)
        self._load = load
        self.health = health
        self.current = current
        self._pending = threading.Event()
        self._observer: Any = None
        self.last_error: str | None = None

    def request(self, *_: object) -> None:
        """Ask for a reload at the next tick (signal handler and file watcher call this)."""
        self._pending.set()

    def maybe_reload(self) -> PolicySet:
        """Reload if asked; returns the set to run this tick (the old one if the new is bad)."""
        if not self._pending.is_set():
            return self.current
        self._pending.clear()
        try:
            fresh = self._load(self.paths)
        except PolicyError as exc:
            self.last_error = "; ".join(str(p) for p in exc.problems)
            self.health.degrade(
                "policies", f"reload failed, still running the last valid set: {exc}"
            )
            for problem in exc.problems:
                log.error("policy reload rejected: %s", problem)
            return self.current
        changed = [p.name for p in fresh.policies]
        log.info("policies reloaded: %d policies (%s)", len(changed), ", ".join(changed) or "none")
        self.current, self.last_error = fresh, None
        self.health.clear("policies")
        return fresh

    def watch(self) -> None:
        handler = _Handler(self.request)
        observer = Observer()
        for path in self.paths:
            folder = path if path.is_dir() else path.parent
            observer.schedule(handler, str(folder), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)


class _Handler(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = str(event.src_path)
        if path.endswith((".yaml", ".yml")) and event.event_type != "opened":
            self._on_change()
