"""The daemon against the real Coretime runtime: it renews in the interlude, and refuses above
the cap with an alert; the ledger and /metrics show both."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.support.daemon import start_daemon, wait_metrics
from tests.support.devnet import Devnet, free_port
from tests.support.scenario import (
    cli,
    policy_yaml,
    renewal_right_for,
    renewed,
    write_agent_files,
)

pytestmark = pytest.mark.chain


def _run_daemon(env: dict[str, str], until: str, port: int) -> tuple[str, str]:
    """Start `coretime-agent run`, wait until /metrics contains `until`, then SIGTERM it."""
    proc = start_daemon(env, port)
    try:
        text = wait_metrics(proc, port, until)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return text, err


def test_daemon_renews_in_the_interlude(devnet: Devnet, tmp_path: Path) -> None:
    right = renewal_right_for(devnet, 2000)
    env = write_agent_files(tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000)})
    port = free_port()
    metrics, log = _run_daemon(
        env, 'coretime_actions_total{kind="renew",outcome="included",policy="para-2000"} 1.0', port
    )
    assert len(renewed(devnet, 2000, right.region_end)) == 1
    assert devnet.relay_number() < devnet.sale_info()["sale_start"]  # still in the interlude
    assert "renew included" in log
    ledger = json.loads(cli(env, "ledger", "--json").stdout)
    (summary,) = [s for s in ledger["policies"] if s["policy"] == "para-2000"]
    history = ledger["history"]
    assert [h["kind"] for h in history] == ["renew"] and history[0]["status"] == "included"
    fee = int(history[0]["fee_planck"])
    assert int(history[0]["spent_planck"]) == right.price + fee  # exactly what the chain charged
    assert int(summary["total_planck"]) == right.price + fee
    assert (
        'coretime_actions_total{kind="renew",outcome="included",policy="para-2000"} 1.0' in metrics
    )


def test_daemon_refuses_above_the_cap_and_alerts(devnet: Devnet, tmp_path: Path) -> None:
    right = renewal_right_for(devnet, 2000)
    cap = f"{right.price // 10**10 - 1} PAS"
    env = write_agent_files(
        tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000, max_price=cap)}
    )
    port = free_port()
    metrics, log = _run_daemon(
        env, 'coretime_alerts_total{kind="renewal-over-cap",policy="para-2000"} 1.0', port
    )
    assert renewed(devnet, 2000, right.region_end) == []
    assert "renewal-over-cap" in log
    ledger = json.loads(cli(env, "ledger", "--json").stdout)
    assert ledger["history"] == []
    assert (
        'coretime_renewal_price_planck{network="paseo",para_id="2000",policy="para-2000"}'
        in metrics
    )
