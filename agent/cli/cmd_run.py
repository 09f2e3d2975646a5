"""`run` (the daemon) and `once` (one tick, for cron and CI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from agent.cli.app import EXIT_ACTION_FAILED, EXIT_CHAIN, EXIT_OK, app, state
from agent.cli.options import DryRunOpt, JsonOpt, LedgerOpt, PoliciesOpt
from agent.runtime.http import StatusServer
from agent.runtime.logs import configure_logging
from agent.runtime.wiring import build_agent, secrets_of


@app.command()
def run(
    ctx: typer.Context,
    policies: PoliciesOpt = None,
    dry_run: DryRunOpt = None,
    ledger: LedgerOpt = None,
    poll_seconds: Annotated[
        float,
        typer.Option("--poll-seconds", help="How often to look for a new finalized head.", min=0.2),
    ] = 6.0,
    metrics_address: Annotated[
        str | None,
        typer.Option("--metrics-address", help="host:port for /metrics, /healthz, /readyz."),
    ] = None,
) -> None:
    """Run the daemon: follow the Coretime chain's finalized head and, once per block window,
    evaluate every policy, check budgets, submit what is due and record it in the ledger.

    Policies are reloaded when their files change or on SIGHUP (a bad edit keeps the last valid
    set). SIGTERM finishes the action in flight, then stops. Serves /metrics, /healthz and
    /readyz on the metrics address. With a PostgreSQL ledger, replicas elect one leader."""
    settings = state(ctx).settings()
    agent = build_agent(settings, policies, dry_run=dry_run, ledger_url=ledger)
    configure_logging(settings.log_level, settings.log_format.value, secrets_of(agent))
    daemon = agent.make_daemon(poll_seconds=poll_seconds)
    server = StatusServer(
        metrics_address or settings.metrics_address, agent.health, agent.metrics
    ).start()
    try:
        daemon.run_forever()
    finally:
        server.stop()
        agent.close()


@app.command()
def once(
    ctx: typer.Context,
    policies: PoliciesOpt = None,
    dry_run: DryRunOpt = None,
    ledger: LedgerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run one tick now and exit (cron style): reconcile open intents, plan, check budgets,
    submit, record. Exit 0 when every action succeeded, 1 when one failed, 3 when a chain was
    unreachable."""
    settings = state(ctx).settings()
    agent = build_agent(settings, policies, dry_run=dry_run, ledger_url=ledger)
    configure_logging(settings.log_level, settings.log_format.value, secrets_of(agent))
    try:
        report = agent.make_cycle().tick(datetime.now(UTC))
    finally:
        agent.close()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "blocks": report.blocks,
                    "planned": report.planned,
                    "submitted": report.submitted,
                    "succeeded": report.succeeded,
                    "failed": report.failed,
                    "refused": report.refused,
                    "alerts": report.alerts,
                    "errors": report.errors,
                    "actions": [
                        {
                            "id": a.id,
                            "policy": a.policy,
                            "kind": a.kind.value,
                            "status": o.status.value,
                            "spent": str(o.spent),
                            "fee": str(o.fee),
                            "error": str(o.error) if o.error else None,
                            "message": o.message,
                        }
                        for a, o in report.outcomes
                    ],
                },
                indent=2,
            )
        )
    else:
        typer.echo(report.summary())
        for action, outcome in report.outcomes:
            detail = str(outcome.error) if outcome.error else outcome.message
            typer.echo(
                f"  {outcome.status.value:<9} {action.policy}: {action.kind.value} - {action.reason}"
                + (f" ({detail})" if detail and not outcome.ok else "")
            )
        for err in report.errors:
            typer.echo(f"error: {err}", err=True)
    if report.chain_errors:
        raise typer.Exit(EXIT_CHAIN)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ACTION_FAILED)
