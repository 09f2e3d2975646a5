"""Named crash points for fault-injection tests (`kill -9` at an exact step of a tick).

Why: the crash-safety guarantees (write-ahead intents, no double spend after a restart) are only
believable if a test can kill the process between any two steps. Set
``CORETIME_AGENT_FAILPOINT=after-intent`` (or ``after-submit``, ``before-outcome``) and the process
SIGKILLs itself at that step of the first action it takes. Unset in production; costs one lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "CORETIME_AGENT_FAILPOINT"
POINTS = ("after-intent", "after-submit", "before-outcome")


def hit(point: str) -> None:
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
