"""`plan` and `doctor` against the real runtime: they read, explain and submit nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.devnet import Devnet
from tests.support.scenario import cli, policy_yaml, renewal_right_for, renewed, write_agent_files

pytestmark = pytest.mark.chain


def test_plan_explains_the_renewal_and_submits_nothing(devnet: Devnet, tmp_path: Path) -> None:
    right = renewal_right_for(devnet, 2000)
    env = write_agent_files(
        tmp_path,
        devnet.url,
        {
            "para-2000": policy_yaml("para-2000", 2000),
            "para-2001": policy_yaml("para-2001", 2001),
        },
    )
    head = devnet.head()
    result = cli(env, "plan", "--json")
    assert result.returncode == 0, result.stderr
    (network,) = json.loads(result.stdout)
    (approved,) = network["approved"]
    assert (approved["kind"], approved["policy"]) == ("renew", "para-2000")
    assert approved["call"] == {
        "chain": "coretime",
        "pallet": "Broker",
        "function": "renew",
        "args": {"core": right.core},
    }
    assert int(approved["max_cost"]) == right.price
    topics = {(d["policy"], d["topic"]): d for d in network["decisions"]}
    assert topics[("para-2000", "renewal")]["outcome"] == "act"
    assert "no renewal right" in topics[("para-2001", "renewal")]["reason"]

    table = cli(env, "plan")
    assert table.returncode == 0
    assert "would renew for para-2000" in table.stdout
    assert devnet.head() == head and renewed(devnet, 2000, right.region_end) == []
    assert json.loads(cli(env, "ledger", "--json").stdout)["history"] == []


def test_doctor_checks_an_installation(devnet: Devnet, tmp_path: Path) -> None:
    renewal_right_for(devnet, 2000)
    env = write_agent_files(tmp_path, devnet.url, {"para-2000": policy_yaml("para-2000", 2000)})
    result = cli(env, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "ok    paseo: runtime: coretime-paseo v2000006, broker storage v4 (relay blocks)"
        in result.stdout
    )
    assert "ok    paseo: sale: sales running" in result.stdout
    assert "ok    paseo: signer renewer:" in result.stdout
