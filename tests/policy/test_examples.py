"""The example policies shipped in policies/ are valid, through the real CLI, and say what they do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from agent.model.money import parse_amount
from agent.model.network import KUSAMA, POLKADOT, NetworkRegistry
from agent.policy import describe, load_policies

REPO = Path(__file__).parents[2]
POLICIES = REPO / "policies"
EXAMPLES = sorted(POLICIES.glob("*.yaml"))


def test_there_are_examples_for_each_way_of_getting_coretime() -> None:
    loaded = load_policies([POLICIES], NetworkRegistry()).policies
    specs = [p.policy.spec for p in loaded]
    assert len(EXAMPLES) >= 3
    assert any(s.renewal.enabled and s.network == "polkadot" for s in specs)
    assert any(
        s.auto_renew.manage and s.auto_renew.submit.value == "sudo" and len(s.budget.limits) > 1
        for s in specs
    )
    assert any(s.on_demand.enabled and s.budget.limits for s in specs)
    assert any(s.purchase.enabled for s in specs)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_each_example_validates_through_the_cli(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert lines
    assert all(line.startswith(f"ok  {path}") for line in lines)


def test_the_whole_folder_validates_together(capsys: pytest.CaptureFixture[str]) -> None:
    """Together they must not collide (names, paras) either."""
    code = main(["validate", str(POLICIES)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.splitlines()) == len(load_policies([POLICIES], NetworkRegistry()).policies)
    assert f"ok  {POLICIES / 'acala.yaml'}" in out
    assert "acala" in out
    assert "polkadot para 2000" in out
    assert "renewal≤150 DOT" in out


def test_json_output_for_valid_policies(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--json", str(POLICIES / "westend-purchase.yaml")])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["valid"] is True
    assert result["problems"] == []
    sources = [p["source"] for p in result["policies"]]
    assert sources == [
        f"{POLICIES / 'westend-purchase.yaml'}#1",
        f"{POLICIES / 'westend-purchase.yaml'}#2",
    ]
    first = result["policies"][0]
    assert first["name"] == "westend-bootstrap"
    assert first["network"] == "westend"
    assert first["paraId"] == 2300
    assert len(first["digest"]) == 64


def test_amounts_in_examples_are_exact_planck() -> None:
    by_name = {p.name: p for p in load_policies([POLICIES], NetworkRegistry()).policies}
    acala = by_name["acala"].policy.spec
    assert acala.renewal.max_price == parse_amount("150 DOT", POLKADOT.token)
    assert acala.renewal.max_price is not None
    assert acala.renewal.max_price.planck == 150 * 10**10
    moonfield = by_name["moonfield"].policy.spec
    assert moonfield.auto_renew.funding.max_top_up == parse_amount("30 KSM", KUSAMA.token)
    assert by_name["paseo-parathread"].policy.spec.on_demand.max_spot_price is not None
    assert by_name["paseo-parathread"].policy.spec.on_demand.max_spot_price.planck == 5 * 10**9


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("acala", "renewal≤150 DOT +≤10%, budget 200 DOT/sale, 2000 DOT/total"),
        (
            "moonfield",
            "renewal≤40 KSM +≤15%, auto-renew on (sudo), budget 45 KSM/sale, 60 KSM/30d, "
            "60 KSM/month, 600 KSM/total",
        ),
        ("paseo-parathread", "on-demand≤0.5 PAS, budget 20 PAS/1d, 300 PAS/month"),
        ("westend-bootstrap", "renewal≤25 WND, buy 1 core≤25 WND at≤10 WND, budget 30 WND/sale"),
        ("westend-observer", "monitor only, no budget limit"),
    ],
)
def test_summaries_say_what_each_policy_does(name: str, summary: str) -> None:
    loaded = load_policies([POLICIES], NetworkRegistry()).by_name(name)
    assert loaded is not None
    assert describe(loaded.policy) == summary
