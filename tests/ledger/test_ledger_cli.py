"""`coretime-agent ledger` on a populated SQLite ledger, as a user runs it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.cli import main
from agent.ledger import Ledger
from agent.model.actions import ActionKind
from agent.model.outcome import ModuleError, OutcomeStatus, SubmissionOutcome
from tests.ledger.ledger_helpers import make_action

AT = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)
DOT = 10**10


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean folder and environment, so no settings or .env of the host leak in."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.startswith("CORETIME_AGENT_")]:
        monkeypatch.delenv(key)
    return tmp_path


@pytest.fixture
def populated(workdir: Path) -> str:
    url = f"sqlite:///{workdir / 'books' / 'ledger.sqlite'}"
    with Ledger(url) as book:
        renew = make_action("act_renew", sale=8, max_cost=160 * DOT)
        book.record_intent(renew, now=AT - timedelta(days=10), digest="d", admit=lambda v: None)
        book.mark_submitted(renew.id, extrinsic_hash="0xaaa", now=AT - timedelta(days=10))
        included = SubmissionOutcome(OutcomeStatus.INCLUDED, spent=150 * DOT, fee=DOT // 100)
        book.record_outcome(renew.id, included, now=AT - timedelta(days=10))
        order = make_action("act_order", kind=ActionKind.ORDER_ON_DEMAND, sale=8, max_cost=DOT // 2)
        book.record_intent(order, now=AT - timedelta(hours=2), digest="d", admit=lambda v: None)
        failed = SubmissionOutcome(
            OutcomeStatus.FAILED,
            error=ModuleError("OnDemand", "SpotPriceHigherThanMaxAmount"),
            fee=3,
        )
        book.record_outcome(order.id, failed, now=AT - timedelta(hours=2))
        other = make_action("act_other", policy="moonbeam", sale=None, max_cost=7 * DOT)
        book.record_intent(other, now=AT - timedelta(hours=1), digest="d", admit=lambda v: None)
    with Ledger(url, mode="dry-run") as dry:
        dry.record_intent(make_action("act_dry"), now=AT, digest="d", admit=lambda v: None)
    return url


def test_json_reports_spend_per_period_and_history(
    populated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ledger", "--ledger", populated, "--json", "--at", AT.isoformat()])
    out = capsys.readouterr()
    assert code == 0, out.err
    doc = json.loads(out.out)
    assert (doc["mode"], doc["at"], doc["ledger"]) == ("live", AT.isoformat(), populated)
    assert doc["policies"] == [
        {
            "policy": "acala", "network": "polkadot", "token": "DOT", "decimals": 10,
            "today_planck": "3", "sale": 8, "this_sale_planck": str(150 * DOT + DOT // 100 + 3),
            "month_planck": str(150 * DOT + DOT // 100 + 3),
            "total_planck": str(150 * DOT + DOT // 100 + 3),
            "reserved_planck": "0", "open_intents": 0,
        },
        {
            "policy": "moonbeam", "network": "polkadot", "token": "DOT", "decimals": 10,
            "today_planck": "0", "sale": None, "this_sale_planck": "0", "month_planck": "0",
            "total_planck": "0", "reserved_planck": str(7 * DOT), "open_intents": 1,
        },
    ]  # fmt: skip
    history = doc["history"]
    assert [(h["action_id"], h["status"]) for h in history] == [
        ("act_other", "open"),
        ("act_order", "failed"),
        ("act_renew", "included"),
    ]
    assert history[1]["error"] == "OnDemand.SpotPriceHigherThanMaxAmount"
    assert history[2]["spent_planck"] == str(150 * DOT + DOT // 100)
    assert history[2]["extrinsic_hash"] == "0xaaa"
    assert history[0]["spent_planck"] is None


def test_json_policy_limit_and_dry_run(populated: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "--ledger", populated, "--json", "--policy", "acala", "-n", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["policy"] for p in doc["policies"]] == ["acala"]
    assert [h["action_id"] for h in doc["history"]] == ["act_order"]
    assert main(["ledger", "--ledger", populated, "--json", "--dry-run"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mode"] == "dry-run"
    assert [h["action_id"] for h in doc["history"]] == ["act_dry"]


def test_table_shows_tokens(populated: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "--ledger", populated, "--at", AT.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Spend per policy (live, as of 2026-03-15 18:00 UTC)" in out
    assert "150.0100000003 DOT" in out  # this sale: price + fee + the failed order's fee
    assert "moonbeam" in out and "7 DOT" in out


def test_settings_ledger_is_the_default_and_missing_means_empty(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ledger"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing recorded yet in the live ledger at sqlite:///")
    assert not (workdir / ".coretime-agent").exists()  # reading never creates a ledger
    assert main(["ledger", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["policies"], doc["history"]) == ([], [])


def test_bad_input_is_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "--ledger", "postgresql://ops:hunter2@127.0.0.1:1/x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ledger postgresql+psycopg://ops:***@127.0.0.1:1/x: ")
    assert "hunter2" not in err and err.count("\n") == 1
    assert main(["ledger", "--at", "yesterday"]) == 2
    assert "not an ISO 8601 time" in capsys.readouterr().err


def test_help_describes_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--policy", "--limit", "--json", "--ledger", "--dry-run", "--at"):
        assert option in out
