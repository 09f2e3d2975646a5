"""A broken policy edit while the daemon runs: the previous policies keep acting, /healthz says why."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.devnet import Devnet, free_port
from tests.support.scenario import ROOT, policy_yaml, renewal_right_for, renewed, write_agent_files

pytestmark = pytest.mark.chain


def _health(port: int) -> tuple[int, dict[str, Any]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as reply:
            return reply.status, dict(json.loads(reply.read()))
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.loads(exc.read()))
    except OSError:
        return None


def _wait(port: int, pred: Any, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        last = _health(port)
        if last is not None and pred(*last):
            return last
        time.sleep(0.3)
    raise AssertionError(f"not reached; last /healthz: {last}")


def test_broken_edit_keeps_the_last_valid_set_acting(devnet: Devnet, tmp_path: Path) -> None:
    renewal_right_for(devnet, 2000, rotate=False)  # the right becomes usable at the next rotation
    env = write_agent_files(tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000)})
    port = free_port()
    proc = subprocess.Popen(
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
    )
    try:
        _wait(port, lambda code, h: code == 200 and h["ticks"] >= 1)
        policy_file = tmp_path / "policies" / "para-2000.yaml"
        policy_file.write_text(policy_file.read_text().replace("paraId: 2000", "paraId: two"))
        code, health = _wait(port, lambda code, h: code == 503 and "policies" in h["problems"])
        assert "para-2000.yaml:7:11:" in health["problems"]["policies"]
        assert "spec.paraId" in health["problems"]["policies"]

        sale = devnet.sale_info()
        devnet.rotate_sale()  # now the renewal right is usable: the old, valid policy must act
        deadline = time.monotonic() + 60
        while not renewed(
            devnet, 2000, sale["region_end"] + (sale["region_end"] - sale["region_begin"])
        ):
            assert time.monotonic() < deadline, "the last valid policy did not renew"
            time.sleep(0.5)
        code, health = _health(port) or (0, {})
        assert code == 503 and "policies" in health["problems"]  # still reported until fixed
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "policy reload rejected" in err and "para-2000.yaml:7:11:" in err
