"""`coretime-agent simulate`: forecast what policies would pay and refuse over future sales."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agent.cli.app import EXIT_OK, app, fail, state
from agent.cli.options import JsonOpt
from agent.runtime.simulate import SimulateOptions, SimulateResult, simulate
from agent.runtime.simulate_report import as_json, table, write_chart, write_csv
from agent.runtime.simulate_scenario import load_scenario

TABLE_WIDTH = 130
"""Columns for the table when the output is not a terminal (a file, a pipe, CI logs)."""
PROGRESS_FROM = 8
"""Show a progress bar from this many sales (times networks) on."""


@app.command("simulate")
def simulate_command(
    ctx: typer.Context,
    policies: Annotated[
        list[Path],
        typer.Option(
            "--policies", "-p", metavar="PATH", help="Policy file or folder (repeatable)."
        ),
    ],
    sales: Annotated[
        int, typer.Option("--sales", "-n", min=1, max=200, help="Future sales to forecast.")
    ] = 13,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            "-s",
            help="steady, rising (+10% a sale), spike (x4 in the third sale) or a YAML/CSV "
            "file of end prices per sale (bare numbers are whole tokens of each network).",
        ),
    ] = "steady",
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write the forecast as CSV here.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write a PNG chart here (one panel per policy).")
    ] = None,
    start_price: Annotated[
        int,
        typer.Option(
            "--start-price", min=1, help="End price of the current sale, in whole tokens."
        ),
    ] = 100,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", help="Simulated date of the first tick (YYYY-MM-DD); default today."
        ),
    ] = None,
    as_json_flag: JsonOpt = False,
) -> None:
    """Forecast, per policy and sale, what the policies would pay and have refused over the
    next N sales, against their budgets.

    Runs the real planner, guard and cycle against a sandbox network per policy network (sale
    timing as on Polkadot: 28-day regions), with a throwaway ledger. Prices follow the scenario;
    amounts are in each policy's own token. Bulk actions are exact; on-demand orders are
    sampled weekly and projected at the policy's rate limit, within its budgets. Signers are
    dev keys; nothing is sent anywhere."""
    settings = state(ctx).settings()
    chosen = load_scenario(scenario)
    when = _start(start)
    if chart is not None and chart.suffix.lower() != ".png":
        raise fail(f"--chart {chart}: the chart is a PNG file; name it *.png")
    options = SimulateOptions(sales=sales, scenario=chosen, start_price=start_price, start=when)
    console = Console() if sys.stdout.isatty() else Console(width=TABLE_WIDTH)
    show_bar = not as_json_flag and sys.stdout.isatty()
    if show_bar:
        with Progress(
            TextColumn("simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("sales", total=None)

            def advance(done: int, total: int) -> None:
                if total >= PROGRESS_FROM:
                    bar.update(task, completed=done, total=total)

            result = simulate(policies, settings, options, advance)
    else:
        result = simulate(policies, settings, options)
    if csv_path is not None:
        write_csv(result, csv_path)
    if chart is not None:
        write_chart(result, chart)
    if as_json_flag:
        typer.echo(json.dumps(_with_files(as_json(result), csv_path, chart), indent=2))
    else:
        console.print(table(result))
        _footer(console, result, csv_path, chart)
    raise typer.Exit(EXIT_OK)


def _start(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise fail(f"--start '{value}' is not a date; write it like 2026-03-01") from None


def _with_files(
    data: dict[str, object], csv_path: Path | None, chart: Path | None
) -> dict[str, object]:
    data["csv"] = str(csv_path) if csv_path else None
    data["chart"] = str(chart) if chart else None
    return data


def _footer(
    console: Console, result: SimulateResult, csv_path: Path | None, chart: Path | None
) -> None:
    refused = sum(r.refused for r in result.rows)
    console.print(
        f"{len(result.policies.policies)} policies, {result.sales} sales, {refused} refusal(s); "
        f"simulated in {result.elapsed:.1f} s"
    )
    if csv_path:
        console.print(f"CSV: {csv_path}")
    if chart:
        console.print(f"chart: {chart}")
