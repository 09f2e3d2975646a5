"""Two daemons on one PostgreSQL ledger: only one acts; kill it and the other takes over within
the configured lease time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.ledger.ledger_helpers import pg_reachable, pg_schema
from tests.support.devnet import Devnet, free_port
from tests.support.scenario import (
    ROOT,
    cli,
    policy_yaml,
    renewal_right_for,
    renewed,
    write_agent_files,
)

pytestmark = [pytest.mark.chain, pytest.mark.postgres]
LEASE = 6


def _health(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as reply:
            return dict(json.loads(reply.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))
    except OSError:
        return None


def _wait(port: int, pred: Any, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = _health(port)
        if last is not None and pred(last):
            return last
        time.sleep(0.25)
    raise AssertionError(f"condition not reached in {timeout}s; last health: {last}")


def _daemon(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "run",
            "--poll-seconds",
            "1",
            "--metrics-address",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_one_leader_acts_and_the_standby_takes_over(devnet: Devnet, tmp_path: Path) -> None:
    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    right = renewal_right_for(devnet, 2000)
    with pg_schema() as url:
        env = write_agent_files(
            tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000)}, ledger_url=url
        )
        env["CORETIME_AGENT_LEADER_LEASE_SECONDS"] = str(LEASE)
        port_a, port_b = free_port(), free_port()
        a = _daemon(env, port_a)
        b: subprocess.Popen[str] | None = None
        try:
            _wait(port_a, lambda h: h["leader"] and h["ticks"] >= 1, 60)
            b = _daemon(env, port_b)
            standby = _wait(port_b, lambda h: h["ready"], 60)
            time.sleep(3)  # several polls: the standby must stay a standby
            standby = _health(port_b) or {}
            assert standby["leader"] is False and standby["ticks"] == 0
            assert len(renewed(devnet, 2000, right.region_end)) == 1
            history = json.loads(cli(env, "ledger", "--json").stdout)["history"]
            assert [(h["kind"], h["status"]) for h in history] == [("renew", "included")]

            os.killpg(a.pid, signal.SIGKILL)
            a.wait(timeout=10)
            killed_at = time.monotonic()
            took_over = _wait(port_b, lambda h: h["leader"] and h["ticks"] >= 1, LEASE + 10)
            waited = time.monotonic() - killed_at
            print(f"standby took over {waited:.1f}s after the leader was killed (lease {LEASE}s)")
            assert took_over["leader"] is True
            assert waited <= LEASE, f"takeover took {waited:.1f}s, lease is {LEASE}s"
            # The new leader reconciled and planned from the chain: nothing is done twice.
            assert len(renewed(devnet, 2000, right.region_end)) == 1
            history = json.loads(cli(env, "ledger", "--json").stdout)["history"]
            assert len(history) == 1
        finally:
            for proc in (a, b):
                if proc is not None and proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=30)
