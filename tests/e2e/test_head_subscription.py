"""The daemon ticks on a new finalized head at once (subscription), not at its next poll."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.support.daemon import start_daemon, wait_health
from tests.support.devnet import Devnet, free_port
from tests.support.scenario import policy_yaml, renewal_right_for, renewed, write_agent_files

pytestmark = pytest.mark.chain
POLL = 600  # seconds: far longer than the test, so only the subscription can wake the daemon


def test_a_new_head_wakes_the_daemon_before_its_poll(devnet: Devnet, tmp_path: Path) -> None:
    renewal_right_for(devnet, 2000, rotate=False)
    env = write_agent_files(tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000)})
    port = free_port()
    proc = start_daemon(env, port, poll_seconds=POLL)
    try:
        wait_health(port, lambda _code, h: h["ticks"] >= 1)  # the first poll runs at start
        sale = devnet.sale_info()
        devnet.rotate_sale()  # new heads: the renewal window opens
        next_end = sale["region_end"] + (sale["region_end"] - sale["region_begin"])
        started = time.monotonic()
        while not renewed(devnet, 2000, next_end):
            assert time.monotonic() - started < 60, "the daemon did not wake on the new heads"
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
