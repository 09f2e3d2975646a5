"""Options shared by the commands that run the agent."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

PoliciesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--policies",
        "-p",
        metavar="PATH",
        help="Policy file or folder (repeatable). Default: settings `policies` (./policies).",
    ),
]
DryRunOpt = Annotated[
    bool | None,
    typer.Option(
        "--dry-run/--live",
        help="Dry run: plan, check budgets and pre-flight, record what would be sent, send nothing.",
    ),
]
LedgerOpt = Annotated[
    str | None,
    typer.Option(
        "--ledger", metavar="URL", help="Ledger URL (sqlite:///path or postgresql+psycopg://...)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
