"""Drive `coretime-agent run` as a separate process and read its status endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.support.scenario import ROOT


def start_daemon(
    env: dict[str, str], port: int, *, stdout: Any = subprocess.DEVNULL, poll_seconds: float = 1
) -> subprocess.Popen[str]:
    """`coretime-agent run` (polling every `poll_seconds`), serving status on 127.0.0.1:`port`."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "run",
            "--poll-seconds",
            str(poll_seconds),
            "--metrics-address",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return str(reply.read().decode())


def health(port: int) -> tuple[int, dict[str, Any]] | None:
    """(HTTP status, /healthz body), or None while the daemon is not listening yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as reply:
            return reply.status, dict(json.loads(reply.read()))
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.loads(exc.read()))
    except OSError:
        return None


def wait_health(
    port: int, pred: Callable[[int, dict[str, Any]], bool], timeout: float = 60
) -> tuple[int, dict[str, Any]]:
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        last = health(port)
        if last is not None and pred(*last):
            return last
        time.sleep(0.25)
    raise AssertionError(f"not reached in {timeout}s; last /healthz: {last}")


def wait_metrics(proc: subprocess.Popen[str], port: int, needle: str, timeout: float = 90) -> str:
    """The /metrics text once it contains `needle` (the daemon must stay alive meanwhile)."""
    deadline, text = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            text = metrics(port)
        except OSError:
            text = ""
        if needle in text:
            return text
        time.sleep(0.5)
    raise AssertionError(f"daemon never reported {needle!r}; metrics:\n{text[-3000:]}")
