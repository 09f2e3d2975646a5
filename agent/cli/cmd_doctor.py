"""`doctor`: pre-flight checks of settings, policies, endpoints, signers and the ledger."""

from __future__ import annotations

import json

import typer

from agent.cli.app import app, state
from agent.cli.options import JsonOpt, LedgerOpt, PoliciesOpt
from agent.runtime.doctor import run_checks
from agent.runtime.wiring import build_agent


@app.command()
def doctor(
    ctx: typer.Context,
    policies: PoliciesOpt = None,
    ledger: LedgerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check an installation before running it: policies valid, ledger reachable, each
    network's endpoints answer and its runtime has what the policies need, signers have secrets
    and funds, sibling accounts of auto-renewing paras hold funds. Exit 2 when a check fails,
    3 when a chain is unreachable."""
    settings = state(ctx).settings()
    agent = build_agent(settings, policies, ledger_url=ledger, dry_run=True)
    try:
        checks = list(run_checks(agent))
    finally:
        agent.close()
    failed = [c for c in checks if not c.ok and not c.warning]
    if as_json:
        typer.echo(json.dumps([c.__dict__ for c in checks], indent=2))
    else:
        for c in checks:
            mark = "ok  " if c.ok else ("warn" if c.warning else "FAIL")
            typer.echo(f"{mark}  {c.name}: {c.detail}")
    if failed:
        raise typer.Exit(max(c.exit_code for c in failed))
