"""`coretime-agent simulate` end to end: the table, the CSV, the chart, and bad input.

Runs in-process through `agent.cli.main` against the repository's example policy for Acala
(polkadot, renewal with maxPrice 150 DOT) and the demo's parathread, so the expected prices
follow from the renewal rule alone: 100 DOT bought in the current sale, +3% per renewal.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from agent.cli import main

ROOT = Path(__file__).resolve().parents[2]
ACALA = ROOT / "policies" / "acala.yaml"
DOT = 10**10
PNG = b"\x89PNG\r\n\x1a\n"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["simulate", "--start", "2026-12-01", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_steady_renews_every_sale_at_the_bumped_price(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_csv, chart = tmp_path / "f.csv", tmp_path / "f.png"
    code, out, _ = _run(
        capsys,
        "-p",
        str(ACALA),
        "--sales",
        "4",
        "--scenario",
        "steady",
        "--csv",
        str(out_csv),
        "--chart",
        str(chart),
    )
    assert code == 0
    rows = [r for r in _csv(out_csv) if r["policy"] == "acala"]
    assert [r["sale"] for r in rows] == ["1", "2", "3", "4"]
    paid = [int(r["paid_planck"]) for r in rows]
    assert paid == [100 * DOT, 103 * DOT, 10609 * DOT // 100, 1092727 * DOT // 10000]
    assert [int(r["cumulative_planck"]) for r in rows] == [sum(paid[: i + 1]) for i in range(4)]
    assert all(r["refused"] == "0" for r in rows)
    assert rows[1]["actions"] == "renew 103 DOT"
    assert rows[3]["budgets_planck"] == f"sale:{paid[3]}/{200 * DOT};total:{sum(paid)}/{2000 * DOT}"
    assert "renew 103 DOT" in out and "renew 109.27 DOT" in out  # the table rounds for reading
    assert "54% sale · 20% total" in out  # 109.27 of 200 DOT; 418.36 of 2000 DOT (floored)
    assert chart.read_bytes().startswith(PNG) and chart.stat().st_size > 10_000


def test_a_spike_over_the_cap_refuses_the_renewal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_csv = tmp_path / "spike.csv"
    code, out, _ = _run(
        capsys, "-p", str(ACALA), "--sales", "5", "--scenario", "spike", "--csv", str(out_csv)
    )
    assert code == 0
    rows = {r["sale"]: r for r in _csv(out_csv) if r["policy"] == "acala"}
    assert rows["3"]["end_price_planck"] == str(400 * DOT)  # the spike: sale 3 at 4x
    assert rows["3"]["paid_planck"] == str(10609 * DOT // 100)  # renewed at its stored price
    refused = rows["4"]
    assert refused["refused"] == "1" and refused["paid_planck"] == "0"
    assert "renewal price 400 DOT is above maxPrice 150 DOT" in refused["refused_reasons"]
    assert rows["5"]["paid_planck"] == "0" and "no renewal right" in rows["5"]["note"]
    assert "1× renewal: core 0" in out  # the table names the refusal (wrapped to fit)


def test_on_demand_is_projected_within_the_budget(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "thread.yaml"
    policy.write_text(
        (ROOT / "examples" / "demo" / "parathread.yaml").read_text().replace("0.1 PAS", "0.5 PAS")
    )
    code, out, _ = _run(capsys, "-p", str(policy), "--sales", "2", "--json")
    assert code == 0
    data = json.loads(out)
    rows = [r for r in data["rows"] if r["sale"] != "0"]
    for row in rows:  # 60 orders an hour would cost far more: the sale budget stops them
        assert int(row["paid_planck"]) <= 5 * 10**9
        assert int(row["refused"]) > 1000 and "0.5 PAS per sale" in row["refused_reasons"]
        assert row["actions"].startswith("on-demand ×")


def test_a_scenario_file_sets_each_sale_end_price(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "prices.csv"
    scenario.write_text("sale,end_price\n1,90\n2,120.5 DOT\n")
    out_csv = tmp_path / "f.csv"
    code, _, _ = _run(
        capsys, "-p", str(ACALA), "--sales", "3", "-s", str(scenario), "--csv", str(out_csv)
    )
    assert code == 0
    prices = [r["end_price_planck"] for r in _csv(out_csv) if r["policy"] == "acala"]
    assert prices == [str(90 * DOT), str(1205 * DOT // 10), str(1205 * DOT // 10)]  # last repeats


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "prices: [100, abc]\n", "price 2 'abc' is not a price"),
        ("bad.csv", "price\n100\n-5\n", "price 2 '-5' is not a price"),
        ("empty.yaml", "prices: []\n", "no prices in it"),
        ("broken.yaml", "prices: [100\n", "not valid YAML"),
        ("ksm.yaml", "[100, 9 KSM]\n", "'9 KSM' is in KSM, but this network's token is DOT"),
        ("fine.yaml", "[100, 9.123456789012 DOT]\n", "more decimals than DOT"),
    ],
)
def test_a_bad_scenario_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, expected: str
) -> None:
    scenario = tmp_path / name
    scenario.write_text(text)
    code, out, err = _run(capsys, "-p", str(ACALA), "--sales", "2", "-s", str(scenario))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: scenario ")
    assert expected in lines[0]
    assert "Traceback" not in err and out == ""


def test_an_unknown_scenario_name_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "-p", str(ACALA), "--scenario", "crash")
    assert code == 2
    assert "scenario 'crash' is neither steady, rising, spike nor a file" in err
