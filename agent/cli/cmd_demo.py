"""`coretime-agent demo`: the daemon against the embedded sandbox network, with a live view."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, RenderableType
from rich.live import Live
from rich.text import Text

from agent.cli.app import EXIT_ACTION_FAILED, EXIT_OK, app, state
from agent.cli.options import JsonOpt, LedgerOpt
from agent.runtime.demo import DEMO_POLICIES, DemoOptions, run_demo
from agent.runtime.demo_record import DemoRecorder
from agent.runtime.demo_view import live_view, summary_json, summary_view

DEFAULT_SPEED = 1800.0
"""Simulated seconds per wall second in the live view: three sales in about 25 seconds."""


@app.command()
def demo(
    ctx: typer.Context,
    sales: Annotated[
        int,
        typer.Option("--sales", min=1, max=20, help="Sale rotations to run through (3 shows all)."),
    ] = 3,
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            min=0,
            help="Simulated seconds per wall second (0: as fast as the daemon ticks). "
            f"Default {DEFAULT_SPEED:.0f} with the live view, 0 without.",
        ),
    ] = None,
    no_live: Annotated[
        bool, typer.Option("--no-live", help="No live view: print the summary at the end.")
    ] = False,
    as_json: JsonOpt = False,
    ledger: LedgerOpt = None,
    policies: Annotated[
        Path,
        typer.Option("--policies", "-p", help="The demo's policies (one network)."),
    ] = DEMO_POLICIES,
) -> None:
    """Run the real daemon against the embedded sandbox network (a simulated Paseo Coretime
    chain and relay, accelerated): a para renewing its core, a para on on-chain auto-renewal,
    a parathread buying on-demand blocks within a budget, and a price spike where the cap
    refuses a renewal and on-demand orders keep that para producing.

    Ends with the ledger's summary and a verdict. Exit 0 when the demo showed a renewal, an
    auto-renewal by the chain, on-demand orders and a refusal; 1 otherwise. No chain, no keys
    (signers are dev keys like //Alice), and the ledger is a temporary SQLite file unless
    --ledger names one."""
    settings = state(ctx).settings()
    live = not no_live and not as_json and sys.stdout.isatty()
    pace = speed if speed is not None else (DEFAULT_SPEED if live else 0.0)
    options = DemoOptions(policies=policies, sales=sales, speed=pace, ledger_url=ledger)
    console = Console()
    started = time.monotonic()
    if live:
        seen: list[DemoRecorder] = []

        def screen() -> RenderableType:
            if not seen:
                return Text("setting up the sandbox network...")
            return live_view(seen[0], time.monotonic() - started)

        def keep(recorder: DemoRecorder) -> None:
            if not seen:
                seen.append(recorder)

        with Live(console=console, get_renderable=screen, refresh_per_second=6):
            result = run_demo(options, settings, on_update=keep)
    else:
        result = run_demo(options, settings)
    if as_json:
        typer.echo(json.dumps(summary_json(result), indent=2))
    else:
        console.print(summary_view(result))
    raise typer.Exit(EXIT_OK if result.ok else EXIT_ACTION_FAILED)
