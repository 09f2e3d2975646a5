"""Keep the daemon's log lines off a screen that shows the same facts in its own way.

Why: `demo` and `simulate` draw alerts and actions themselves (a live view, a table); the
cycle's log lines about the same alerts would scroll through them. The lines are kept instead,
so a view can still show them and nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOGGERS = ("agent", "apscheduler")


class ListHandler(logging.Handler):
    """Keeps the last ``keep`` warnings and errors as ``level logger: message`` lines."""

    def __init__(self, into: list[str], keep: int = 200) -> None:
        super().__init__(logging.WARNING)
        self.into, self.keep = into, keep

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"{record.levelname.lower()} {record.name}: {record.getMessage()}")
        del self.into[: -self.keep]


@contextmanager
def captured_logs(into: list[str]) -> Iterator[None]:
    """Route the agent's and the scheduler's log records into ``into`` while the block runs."""
    handler = ListHandler(into)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(logger, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
