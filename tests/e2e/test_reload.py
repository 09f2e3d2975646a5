"""A broken policy edit while the daemon runs: the previous policies keep acting, /healthz says why."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.daemon import health, wait_health
from tests.support.devnet import Devnet, free_port
from tests.support.scenario import ROOT, policy_yaml, renewal_right_for, renewed, write_agent_files

pytestmark = pytest.mark.chain


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
        wait_health(port, lambda code, h: code == 200 and h["ticks"] >= 1)
        policy_file = tmp_path / "policies" / "para-2000.yaml"
        policy_file.write_text(policy_file.read_text().replace("paraId: 2000", "paraId: two"))
        code, body = wait_health(port, lambda code, h: code == 503 and "policies" in h["problems"])
        assert "para-2000.yaml:7:11:" in body["problems"]["policies"]
        assert "spec.paraId" in body["problems"]["policies"]

        sale = devnet.sale_info()
        devnet.rotate_sale()  # now the renewal right is usable: the old, valid policy must act
        deadline = time.monotonic() + 60
        while not renewed(
            devnet, 2000, sale["region_end"] + (sale["region_end"] - sale["region_begin"])
        ):
            assert time.monotonic() < deadline, "the last valid policy did not renew"
            time.sleep(0.5)
        code, body = health(port) or (0, {})
        assert code == 503 and "policies" in body["problems"]  # still reported until fixed
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "policy reload rejected" in err and "para-2000.yaml:7:11:" in err
