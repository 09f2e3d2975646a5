"""`coretime-agent demo`: the real daemon against the sandbox shows what the README promises.

The demo runs once per module (about ten seconds) as a subprocess, the way `make demo` runs it;
the tests read its JSON summary. A second, shorter run proves the exit code can fail: stopped
before the spike's fallback, the demo says what is missing and exits 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", "demo", "--no-live", "--json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def demo_run() -> tuple[int, dict[str, Any]]:
    result = _demo()
    assert result.stdout, result.stderr
    summary = json.loads(result.stdout)
    print(f"demo wall time: {summary['elapsed_seconds']} s, ticks: {summary['ticks']}")
    return result.returncode, summary


def _actions(summary: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(a["kind"], a["outcome"]): a["count"] for a in summary["ledger"]["actions"]}


def test_the_demo_passes_every_check_and_exits_0(demo_run: tuple[int, dict[str, Any]]) -> None:
    code, summary = demo_run
    failed = {name: c["detail"] for name, c in summary["checks"].items() if not c["ok"]}
    assert failed == {}
    assert code == 0
    assert summary["ok"] is True and summary["verdict"].startswith("demo ok")
    assert summary["sales"] == 3 and summary["network"] == "paseo"
    assert summary["elapsed_seconds"] > 0


def test_the_ledger_holds_a_renewal_auto_renew_and_on_demand_orders(
    demo_run: tuple[int, dict[str, Any]],
) -> None:
    _, summary = demo_run
    actions = _actions(summary)
    assert actions.get(("renew", "included"), 0) >= 2
    assert actions.get(("enable-auto-renew", "included")) == 1
    assert actions.get(("order-on-demand", "included"), 0) >= 10
    assert not [k for k in actions if k[1] in ("failed", "invalid", "unknown")]
    spent = {p["policy"]: int(p["spent_total_planck"]) for p in summary["ledger"]["policies"]}
    pas = 10**10
    # 100 PAS in the first sale, then the spike's 1000 PAS and 1030 PAS (renew pays no fee)
    assert spent["demo-renewer"] == (100 + 1000 + 1030) * pas
    assert spent["demo-auto-renewer"] == 0  # the chain charged the sibling account, not the agent
    # at most 0.1 PAS in each sale it ordered in: the one running at the start and three more
    assert 0 < spent["demo-parathread"] <= 4 * pas // 10


def test_the_chain_auto_renews_the_para_the_agent_enabled(
    demo_run: tuple[int, dict[str, Any]],
) -> None:
    _, summary = demo_run
    renewed = summary["auto_renewals"]
    assert [r["para_id"] for r in renewed] == [2001, 2001, 2001]  # at each of the 3 rotations
    assert [int(r["price_planck"]) for r in renewed] == [100 * 10**10, 1000 * 10**10, 1030 * 10**10]


def test_caps_and_budgets_refuse(demo_run: tuple[int, dict[str, Any]]) -> None:
    _, summary = demo_run
    refused = {(r["policy"], r["category"]): r for r in summary["refused"]}
    cap = refused[("demo-spike-fallback", "over-cap")]
    assert "1000 PAS" in cap["reason"] and "maxPrice 300 PAS" in cap["reason"]
    budget = refused[("demo-parathread", "over-budget")]
    assert budget["what"] == "order-on-demand" and "0.1 PAS per sale" in budget["reason"]
    assert summary["checks"]["fallback"]["ok"]  # orders for 2003 after its renewal was refused


def test_a_demo_stopped_before_the_fallback_exits_1_and_says_why() -> None:
    result = _demo("--sales", "1")
    summary = json.loads(result.stdout)
    assert result.returncode == 1
    assert summary["ok"] is False
    assert summary["checks"]["fallback"]["ok"] is False
    assert summary["checks"]["renewal"]["ok"] and summary["checks"]["on-demand"]["ok"]
    assert "missing: fallback" in summary["verdict"]
