"""kill -9 at each step of a tick, then restart: no double renewal, and the ledger matches the chain.

The agent process SIGKILLs itself at a named step (`CORETIME_AGENT_FAILPOINT`): after the intent is
durable but before signing, after submission, and before the outcome is recorded.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.support.devnet import Devnet
from tests.support.scenario import cli, policy_yaml, renewal_right_for, renewed, write_agent_files

pytestmark = pytest.mark.chain


@pytest.mark.parametrize(
    ("point", "renewed_before_restart"),
    [("after-intent", False), ("after-submit", True), ("before-outcome", True)],
)
def test_kill_between_steps_never_pays_twice(
    devnet: Devnet, tmp_path: Path, point: str, renewed_before_restart: bool
) -> None:
    right = renewal_right_for(devnet, 2000)
    env = write_agent_files(tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000)})

    crashed = cli(env, "once", CORETIME_AGENT_FAILPOINT=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    (open_intent,) = json.loads(cli(env, "ledger", "--json").stdout)["history"]
    assert open_intent["status"] in ("open", "submitted")
    assert bool(renewed(devnet, 2000, right.region_end)) is renewed_before_restart

    restarted = cli(env, "once", "--json")
    assert restarted.returncode == 0, restarted.stderr
    assert len(renewed(devnet, 2000, right.region_end)) == 1  # renewed exactly once

    history = json.loads(cli(env, "ledger", "--json").stdout)["history"]
    included = [h for h in history if h["status"] == "included"]
    assert len(included) == 1 and included[0]["action_id"] == open_intent["action_id"]
    assert int(included[0]["spent_planck"]) >= right.price
    if renewed_before_restart:  # the crashed attempt was reconciled as included
        assert [h["attempt"] for h in history] == [1]
        assert "reconciled" in restarted.stderr or json.loads(restarted.stdout)["submitted"] == 0
    else:  # the crashed attempt never left; it was closed as dropped and tried again
        assert sorted((h["attempt"], h["status"]) for h in history) == [
            (1, "dropped"),
            (2, "included"),
        ]

    again = cli(env, "once", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["submitted"] == 0
    assert len(renewed(devnet, 2000, right.region_end)) == 1
