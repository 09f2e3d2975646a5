"""Two daemons on one PostgreSQL ledger: only one acts; kill it and the other takes over within
the configured lease time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.ledger.ledger_helpers import pg_reachable, pg_schema
from tests.support.daemon import health, start_daemon, wait_health
from tests.support.devnet import Devnet, free_port
from tests.support.scenario import (
    cli,
    policy_yaml,
    renewal_right_for,
    renewed,
    write_agent_files,
)

pytestmark = [pytest.mark.chain, pytest.mark.postgres]
LEASE = 6


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
        a = start_daemon(env, port_a)
        b: subprocess.Popen[str] | None = None
        try:
            wait_health(port_a, lambda _code, h: h["leader"] and h["ticks"] >= 1, 60)
            b = start_daemon(env, port_b)
            wait_health(port_b, lambda _code, h: h["ready"], 60)
            time.sleep(3)  # several polls: the standby must stay a standby
            standby = (health(port_b) or (0, {}))[1]
            assert standby["leader"] is False and standby["ticks"] == 0
            assert len(renewed(devnet, 2000, right.region_end)) == 1
            history = json.loads(cli(env, "ledger", "--json").stdout)["history"]
            assert [(h["kind"], h["status"]) for h in history] == [("renew", "included")]

            os.killpg(a.pid, signal.SIGKILL)
            a.wait(timeout=10)
            killed_at = time.monotonic()
            _, took_over = wait_health(
                port_b, lambda _code, h: h["leader"] and h["ticks"] >= 1, LEASE + 10
            )
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
