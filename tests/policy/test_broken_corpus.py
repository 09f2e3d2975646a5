"""Every broken policy under broken/ gives exactly the problems listed here, at the exact place.

Each case is a file (or a folder, for problems across files). For each we assert the complete,
ordered list of ``file:line:col: field.path`` locations and a telling part of each message, first
through `load_policies`, then through the real CLI (exit 2, one line per problem on stderr).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from agent.errors import PolicyError, Problem
from agent.model.network import NetworkRegistry
from agent.policy import load_policies

BROKEN = Path(__file__).parent / "broken"

# case -> [(file:line:col: path, a part of the message or hint that must appear)]
EXPECTED: dict[str, list[tuple[str, str]]] = {
    # -- YAML itself --------------------------------------------------------------------------
    "syntax-unclosed-flow.yaml": [
        (
            "syntax-unclosed-flow.yaml:10:3",
            "YAML syntax error: expected ',' or ']'",
        ),
    ],
    "syntax-tab.yaml": [
        ("syntax-tab.yaml:4:1", "hint: indent with spaces; YAML does not allow tabs"),
    ],
    "syntax-bad-indent.yaml": [
        ("syntax-bad-indent.yaml:7:10", "mapping values are not allowed here (hint: check this"),
    ],
    "duplicate-key.yaml": [("duplicate-key.yaml:11:5", "duplicate key 'maxPrice'")],
    "empty.yaml": [("empty.yaml:1:1", "the file is empty")],
    "comments-only.yaml": [("comments-only.yaml:1:1", "the file is empty")],
    "not-a-mapping-list.yaml": [
        ("not-a-mapping-list.yaml:2:1", "the document is a list, not a mapping"),
    ],
    "not-a-mapping-scalar.yaml": [
        ("not-a-mapping-scalar.yaml:11:3", "the document is the text 'renew acala every sale'"),
    ],
    "yaml-tag.yaml": [("yaml-tag.yaml:7:11: spec.paraId", "YAML tag !para is not supported")],
    # -- the document's frame -----------------------------------------------------------------
    "wrong-kind.yaml": [("wrong-kind.yaml:2:7: kind", "'Deployment' is not CoretimePolicy")],
    "wrong-api-version.yaml": [
        (
            "wrong-api-version.yaml:1:13: apiVersion",
            "must be 'coretime-agent/v1', got 'coretime-agent/v2'",
        ),
    ],
    "missing-spec.yaml": [("missing-spec.yaml:2:1: spec", "missing; add it")],
    "missing-required-spec-fields.yaml": [
        ("missing-required-spec-fields.yaml:6:3: spec.network", "hint: a preset (polkadot"),
        ("missing-required-spec-fields.yaml:6:3: spec.paraId", "missing; add it"),
        ("missing-required-spec-fields.yaml:6:3: spec.signer", "hint: name of a signer"),
    ],
    "unknown-key-top.yaml": [
        ("unknown-key-top.yaml:1:1: spec", "missing; add it"),
        ("unknown-key-top.yaml:5:1: specs", "unknown key 'specs' (hint: did you mean 'spec'?"),
    ],
    "unknown-key-nested.yaml": [
        (
            "unknown-key-nested.yaml:10:5: spec.renewal.max_price",
            "did you mean 'maxPrice'? allowed here: enabled, startAfter, deadline, maxPrice",
        ),
        (
            "unknown-key-nested.yaml:13:42: spec.budget.limits[0].currency",
            "unknown key 'currency' (hint: allowed here: period, amount)",
        ),
    ],
    "bad-network.yaml": [
        (
            "bad-network.yaml:6:12: spec.network",
            "unknown network 'polkadott' (hint: use one of kusama, paseo, polkadot, westend",
        ),
    ],
    # -- values of the wrong shape ------------------------------------------------------------
    "wrong-types.yaml": [
        ("wrong-types.yaml:6:11: metadata.labels.tier", "expected text, got 1"),
        ("wrong-types.yaml:9:11: spec.paraId", "expected a whole number, got 'two thousand'"),
        ("wrong-types.yaml:10:12: spec.renewal", "expected a mapping of keys, got 'yes'"),
        ("wrong-types.yaml:12:14: spec.purchase.enabled", "expected true or false, got 'maybe'"),
        (
            "wrong-types.yaml:13:12: spec.purchase.cores",
            "expected a whole number, got the number 1.5",
        ),
        (
            "wrong-types.yaml:15:15: spec.notifications.channels",
            "expected a list, got 'ops-alerts'",
        ),
    ],
    "para-id-float.yaml": [
        ("para-id-float.yaml:7:11: spec.paraId", "expected a whole number, got the number 2000.0"),
    ],
    "empty-values.yaml": [
        ("empty-values.yaml:6:3: spec.network", "is empty; give it a value or remove the key"),
        ("empty-values.yaml:9:5: spec.renewal.enabled", "is empty"),
    ],
    "out-of-range-numbers.yaml": [
        ("out-of-range-numbers.yaml:7:11: spec.paraId", "must be at least 1, got 0"),
        ("out-of-range-numbers.yaml:9:12: spec.purchase.cores", "must be at most 16, got 17"),
        (
            "out-of-range-numbers.yaml:11:23: spec.onDemand.maxOrdersPerHour",
            "must be at most 600, got 601",
        ),
        (
            "out-of-range-numbers.yaml:13:26: spec.onDemand.trigger.pendingExtrinsics",
            "must be at least 1, got 0",
        ),
    ],
    "bad-names.yaml": [
        (
            "bad-names.yaml:4:9: metadata.name",
            "'Acala_Network' is not a valid name (hint: use lower",
        ),
        ("bad-names.yaml:8:11: spec.signer", "'-ops' is not a valid name"),
        ("bad-names.yaml:10:28: spec.notifications.channels[1]", "'Ops Pager' is not a valid name"),
    ],
    "bad-choices.yaml": [
        (
            "bad-choices.yaml:10:13: spec.autoRenew.submit",
            "got 'sodu' (hint: did you mean 'sudo'?)",
        ),
        ("bad-choices.yaml:11:17: spec.autoRenew.xcmVersion", "must be 'auto', '3', '4' or '5'"),
        ("bad-choices.yaml:13:11: spec.purchase.when", "(hint: did you mean 'fixed-price'?)"),
        ("bad-choices.yaml:15:17: spec.notifications.on[1]", "got 'failure'"),
    ],
    "limit-missing-amount.yaml": [
        ("limit-missing-amount.yaml:12:9: spec.budget.limits[1].amount", "missing; add it"),
    ],
    # -- amounts ------------------------------------------------------------------------------
    "bare-float-amount.yaml": [
        (
            "bare-float-amount.yaml:10:15: spec.renewal.maxPrice",
            "1.5 is a bare number, not an amount (hint: write '1.5 DOT')",
        ),
    ],
    "decimal-without-token.yaml": [
        (
            "decimal-without-token.yaml:10:15: spec.renewal.maxPrice",
            "'12.5' has decimals but no token (hint: write '12.5 KSM')",
        ),
    ],
    "wrong-token.yaml": [
        (
            "wrong-token.yaml:10:15: spec.renewal.maxPrice",
            "'150 KSM' is in KSM, but this network's token is DOT",
        ),
    ],
    "too-many-decimals.yaml": [
        (
            "too-many-decimals.yaml:11:19: spec.onDemand.maxSpotPrice",
            "'0.00000000001 DOT' has more decimals than DOT (10)",
        ),
    ],
    "negative-amount.yaml": [
        ("negative-amount.yaml:11:17: spec.budget.limits[0].amount", "'-400 DOT' is negative"),
    ],
    "amount-over-u128.yaml": [
        (
            "amount-over-u128.yaml:10:34: spec.budget.limits[0].amount",
            "is larger than any balance the chain can hold",
        ),
    ],
    "multi-doc-second-bad.yaml": [
        (
            "multi-doc-second-bad.yaml:18:15: spec.renewal.maxPrice",
            "'150 DOT' is in DOT, but this network's token is KSM",
        ),
    ],
    # -- percentages and periods --------------------------------------------------------------
    "percent-over-100.yaml": [
        (
            "percent-over-100.yaml:9:17: spec.renewal.startAfter",
            "'150%' is above the largest allowed value, 100%",
        ),
    ],
    "percent-without-sign.yaml": [
        (
            "percent-without-sign.yaml:9:15: spec.renewal.deadline",
            "80 has no % sign (hint: write '80%')",
        ),
        (
            "percent-without-sign.yaml:10:17: spec.renewal.startAfter",
            "0.05 has no % sign (hint: write '5%'",
        ),
    ],
    "increase-too-large.yaml": [
        (
            "increase-too-large.yaml:9:18: spec.renewal.maxIncrease",
            "above the largest allowed value, 1000%",
        ),
        ("increase-too-large.yaml:10:15: spec.renewal.deadline", "more precise than a Perbill"),
    ],
    "bad-period.yaml": [
        ("bad-period.yaml:11:19: spec.budget.limits[1].period", "'3w' is not a period"),
        ("bad-period.yaml:12:19: spec.budget.limits[2].period", "'0d' is not a period"),
    ],
    # -- rules across fields ------------------------------------------------------------------
    "deadline-before-start.yaml": [
        (
            "deadline-before-start.yaml:11:15: spec.renewal.deadline",
            "deadline 40% must be later than startAfter 50%",
        ),
    ],
    "start-after-past-default-deadline.yaml": [
        (
            "start-after-past-default-deadline.yaml:10:17: spec.renewal.startAfter",
            "deadline 80% must be later than startAfter 90%",
        ),
    ],
    "duplicate-period.yaml": [
        (
            "duplicate-period.yaml:12:19: spec.budget.limits[2].period",
            "this period (30d) already has a limit at spec.budget.limits[0]",
        ),
    ],
    "purchase-without-max-price.yaml": [
        (
            "purchase-without-max-price.yaml:9:5: spec.purchase.maxPrice",
            "missing; a purchase needs a price cap",
        ),
    ],
    "at-or-below-missing.yaml": [
        (
            "at-or-below-missing.yaml:9:5: spec.purchase.atOrBelow",
            "missing; required when purchase.when is at-or-below",
        ),
    ],
    "at-or-below-above-max.yaml": [
        (
            "at-or-below-above-max.yaml:12:16: spec.purchase.atOrBelow",
            "250 DOT is above maxPrice 200 DOT",
        ),
    ],
    "on-demand-incomplete.yaml": [
        (
            "on-demand-incomplete.yaml:9:5: spec.onDemand.maxSpotPrice",
            "missing; an on-demand order",
        ),
        ("on-demand-incomplete.yaml:9:5: spec.onDemand.trigger", "no trigger set"),
    ],
    "caps-over-budget.yaml": [
        (
            "caps-over-budget.yaml:10:15: spec.renewal.maxPrice",
            "maxPrice 500 DOT is above the smallest budget limit, 250 DOT per sale "
            "(spec.budget.limits[1])",
        ),
        (
            "caps-over-budget.yaml:14:15: spec.purchase.maxPrice",
            "maxPrice 150 DOT × 2 cores = 300 DOT is above the smallest budget limit",
        ),
    ],
    "spot-and-top-up-over-budget.yaml": [
        (
            "spot-and-top-up-over-budget.yaml:12:17: spec.autoRenew.funding.maxTopUp",
            "maxTopUp 5 KSM is above the smallest budget limit, 1.5 KSM per 1d",
        ),
        (
            "spot-and-top-up-over-budget.yaml:16:19: spec.onDemand.maxSpotPrice",
            "maxSpotPrice 2 KSM is above the smallest budget limit",
        ),
    ],
    # -- rules across documents and files -----------------------------------------------------
    "duplicate-name-in-one-file.yaml": [
        (
            "duplicate-name-in-one-file.yaml:4:9: metadata.name",
            "'acala' is also defined in duplicate-name-in-one-file.yaml:13",
        ),
        (
            "duplicate-name-in-one-file.yaml:13:9: metadata.name",
            "'acala' is also defined in duplicate-name-in-one-file.yaml:4",
        ),
    ],
    "duplicate-name": [
        (
            "duplicate-name/acala.yaml:4:9: metadata.name",
            "'acala' is also defined in duplicate-name/karura.yaml:5",
        ),
        (
            "duplicate-name/karura.yaml:5:9: metadata.name",
            "'acala' is also defined in duplicate-name/acala.yaml:4",
        ),
    ],
    "duplicate-para": [
        (
            "duplicate-para/acala-on-demand.yaml:7:11: spec.paraId",
            "para 2000 on polkadot is also managed by 'acala' (duplicate-para/acala.yaml:7)",
        ),
        (
            "duplicate-para/acala.yaml:7:11: spec.paraId",
            "also managed by 'acala-on-demand' (duplicate-para/acala-on-demand.yaml:7)",
        ),
    ],
}


def _location(problem: Problem) -> str:
    where = f"{problem.file}:{problem.line}:{problem.column}"
    return f"{where}: {problem.path}" if problem.path else where


@pytest.fixture
def in_broken(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from broken/ so problems name files as a person would type them."""
    monkeypatch.chdir(BROKEN)
    return BROKEN


def test_the_corpus_is_large_and_every_case_is_asserted() -> None:
    on_disk = {p.name for p in BROKEN.iterdir()}
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_loader_reports_exactly_these_problems(case: str, in_broken: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policies([Path(case)], NetworkRegistry())
    problems = caught.value.problems
    assert [_location(p) for p in problems] == [loc for loc, _ in EXPECTED[case]]
    for problem, (_, fragment) in zip(problems, EXPECTED[case], strict=True):
        assert fragment in str(problem)
        assert "pydantic" not in str(problem)
        assert "Input should" not in str(problem)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_cli_prints_one_line_per_problem_and_exits_2(
    case: str, in_broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", case])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    *problem_lines, summary = lines
    assert len(problem_lines) == len(EXPECTED[case])
    for line, (location, fragment) in zip(problem_lines, EXPECTED[case], strict=True):
        assert line.startswith(location + ": ")
        assert fragment in line
    assert summary.startswith(f"{len(problem_lines)} problem")
    assert summary.endswith("nothing was loaded")
    assert "Traceback" not in err


def test_all_cases_at_once_collects_every_problem(in_broken: Path) -> None:
    """Nothing stops at the first bad file: one run lists the problems of all of them."""
    with pytest.raises(PolicyError) as caught:
        load_policies([Path(case) for case in sorted(EXPECTED)], NetworkRegistry())
    found = sorted(_location(p) for p in caught.value.problems)
    expected = sorted(loc for locs in EXPECTED.values() for loc, _ in locs)
    # Loaded together, the separate cases also collide with each other (names, paras), so
    # the union of every case's problems must be present, plus those collisions.
    assert set(expected) <= set(found)
    assert len(found) > len(expected)


def test_json_output_lists_problems_with_positions(
    in_broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code = main(["validate", "--json", "bare-float-amount.yaml", "duplicate-para"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err == ""
    result = json.loads(out)
    assert result["valid"] is False
    assert result["policies"] == []
    assert result["problems"][0] == {
        "file": "bare-float-amount.yaml",
        "line": 10,
        "column": 15,
        "path": "spec.renewal.maxPrice",
        "message": "1.5 is a bare number, not an amount",
        "hint": "write '1.5 DOT'",
    }
    assert [p["file"] for p in result["problems"][1:]] == [
        "duplicate-para/acala-on-demand.yaml",
        "duplicate-para/acala.yaml",
    ]


@pytest.mark.parametrize(
    ("case", "first_line"),
    [
        (
            "wrong-token.yaml",
            "wrong-token.yaml:10:15: spec.renewal.maxPrice: '150 KSM' is in KSM, but this "
            "network's token is DOT",
        ),
        (
            "syntax-tab.yaml",
            "syntax-tab.yaml:4:1: YAML syntax error: found character '\\t' that cannot start "
            "any token (hint: indent with spaces; YAML does not allow tabs)",
        ),
    ],
)
def test_the_installed_command_in_a_real_process(case: str, first_line: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from agent.cli import main; sys.exit(main())",
            "validate",
            case,
        ],
        cwd=BROKEN,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == first_line
    assert "Traceback" not in result.stderr
