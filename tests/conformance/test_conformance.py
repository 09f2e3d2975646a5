"""The sandbox against the real Coretime runtime: the same scenario, the same transcript.

Two tiers. `test_sandbox_matches_real_runtime` (marked ``chain``) runs the scenario on the real
`pallet_broker` in chopsticks and on the sandbox and compares the transcripts step by step,
planck for planck; it also checks the stored transcript `real_transcript.json` is still what the
runtime does (set ``CONFORMANCE_RECORD=1`` to rewrite it after a runtime upgrade).
`test_sandbox_matches_recorded_runtime` replays the scenario on the sandbox alone against that
recording, so the fast suite catches a sandbox change that breaks conformance.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.drivers import RealDriver, SandboxDriver
from tests.conformance.scenario import run
from tests.support.devnet import Devnet

RECORDING = Path(__file__).with_name("real_transcript.json")


def assert_same(expected: dict[str, Any], actual: dict[str, Any], *, what: str) -> None:
    """Compare step by step, so a failure names the first step that differs."""
    for index, (want, got) in enumerate(zip(expected["steps"], actual["steps"], strict=False)):
        assert got == want, f"{what}: step {index} ({want.get('step')}) differs"
    assert len(actual["steps"]) == len(expected["steps"]), f"{what}: a different number of steps"
    assert actual["storage"] == expected["storage"], f"{what}: Broker storage differs at the end"
    assert actual["sibling_balances"] == expected["sibling_balances"], f"{what}: balances differ"


@pytest.mark.chain
def test_sandbox_matches_real_runtime(devnet: Devnet) -> None:
    real = run(RealDriver(devnet))
    sandbox = run(SandboxDriver())
    if os.environ.get("CONFORMANCE_RECORD") == "1":
        RECORDING.write_text(json.dumps(real, indent=1, sort_keys=True) + "\n")
    assert_same(real, sandbox, what="sandbox vs chopsticks")
    assert_same(json.loads(RECORDING.read_text()), real, what="recording vs chopsticks")


def test_sandbox_matches_recorded_runtime() -> None:
    if not RECORDING.exists():
        pytest.fail(f"{RECORDING.name} is missing: run the chain test with CONFORMANCE_RECORD=1")
    assert_same(
        json.loads(RECORDING.read_text()), run(SandboxDriver()), what="sandbox vs recording"
    )


def test_the_scenario_reaches_every_rule() -> None:
    """The scenario really covers what its docstring promises (guards against a silent trim)."""
    transcript = run(SandboxDriver())
    errors = {s["error"] for s in transcript["steps"] if s.get("error")}
    assert errors >= {
        "TooEarly",
        "NotAllowed",
        "Overpriced",
        "SoldOut",
        "NotOwner",
        "NoPermission",
    }
    names = [e["event"] for s in transcript["steps"] for e in s.get("events", [])]
    for name in (
        "Purchased",
        "Renewable",
        "Renewed",
        "Assigned",
        "AutoRenewalEnabled",
        "AutoRenewalFailed",
        "SaleInitialized",
        "CoreAssigned",
        "HistoryInitialized",
    ):
        assert f"Broker.{name}" in names, name
    moved = [
        e
        for s in transcript["steps"]
        for e in s.get("events", [])
        if e["event"] == "Broker.Renewed" and e["old_core"] != e["core"]
    ]
    assert moved, "no renewal moved its workload to another core"
