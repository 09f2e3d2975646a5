"""`coretime-agent ledger`: spend per policy and per period, and the latest attempts.

Why: operators need to see what the agent reserved and spent without opening the database.
Reading never creates a ledger: a missing SQLite file is reported as an empty ledger.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agent.cli.app import app, fail, state
from agent.cli.options import JsonOpt, LedgerOpt
from agent.ledger import DRY_RUN, LIVE, IntentRecord, Ledger, LedgerMissing, SpendSummary
from agent.model.money import format_amount
from agent.model.network import NetworkRegistry


@app.command("ledger")
def ledger_command(
    ctx: typer.Context,
    policy: Annotated[
        str | None, typer.Option("--policy", help="Only this policy (metadata.name).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=10_000, help="History rows to show.")
    ] = 20,
    as_json: JsonOpt = False,
    ledger: LedgerOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the dry-run records instead of the live ones.")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Report as of this time (ISO 8601, e.g. 2026-03-01T12:00Z); default now."
        ),
    ] = None,
) -> None:
    """Show spend per policy (today, this sale, this month, total, still reserved) and the
    latest attempts, newest first.

    The ledger is the one in settings (`ledger_url`, default SQLite in the state folder) unless
    --ledger names another. Periods are UTC and count an attempt at the time it was decided;
    "this sale" is the latest sale the policy acted in. With --json, every planck amount is a
    decimal string (exact in any JSON parser) and times are ISO 8601 UTC."""
    settings = state(ctx).settings()
    url = ledger or settings.ledger
    now = _when(at)
    mode = DRY_RUN if dry_run else LIVE
    try:
        book = Ledger(url, mode=mode, create=False)
    except LedgerMissing as missing:
        summaries, records, shown = [], [], missing.where
    else:
        with book:
            summaries = book.spend_summary(now, policy=policy)
            records = book.history(policy, limit)
            shown = book.url
    registry = settings.network_registry()
    if as_json:
        doc = {
            "ledger": shown,
            "mode": mode,
            "at": now.isoformat(),
            "policies": [_summary_json(s, registry) for s in summaries],
            "history": [_record_json(r) for r in records],
        }
        typer.echo(json.dumps(doc, indent=2))
        return
    if not summaries and not records:
        scope = f" for policy '{policy}'" if policy else ""
        typer.echo(f"Nothing recorded{scope} yet in the {mode} ledger at {shown}.")
        return
    # A terminal wraps to its width; a pipe or file gets whole rows.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    console.print(_spend_table(summaries, registry, mode, now))
    console.print(_history_table(records, registry))


def _when(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(at)
    except ValueError:
        raise fail(f"--at '{at}' is not an ISO 8601 time like 2026-03-01T12:00Z") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _money(planck: int | None, network: str, registry: NetworkRegistry) -> str:
    if planck is None:
        return "-"
    net = registry.get(network)
    return format_amount(planck, net.token) if net else f"{planck} planck"


def _spend_table(
    summaries: list[SpendSummary], registry: NetworkRegistry, mode: str, now: datetime
) -> Table:
    table = Table(title=f"Spend per policy ({mode}, as of {now:%Y-%m-%d %H:%M} UTC)")
    table.add_column("Policy", overflow="fold")
    table.add_column("Network", no_wrap=True)
    for name in ("Today", "Sale", "This sale", "This month", "Total", "Reserved (open)"):
        table.add_column(name, overflow="fold", justify="right")
    for s in summaries:
        table.add_row(
            s.policy,
            s.network,
            _money(s.today, s.network, registry),
            "-" if s.sale is None else str(s.sale),
            _money(s.this_sale, s.network, registry),
            _money(s.month, s.network, registry),
            _money(s.total, s.network, registry),
            f"{_money(s.reserved, s.network, registry)} ({s.open_intents})",
        )
    return table


def _history_table(records: list[IntentRecord], registry: NetworkRegistry) -> Table:
    table = Table(title=f"Latest {len(records)} attempt(s), newest first")
    table.add_column("Created (UTC)", no_wrap=True)
    table.add_column("Policy", overflow="fold")
    for name in ("Kind", "Window", "#", "Status"):
        table.add_column(name, no_wrap=True)
    for name in ("Reserved", "Spent"):
        table.add_column(name, overflow="fold", justify="right")
    table.add_column("Detail", overflow="fold")
    for r in records:
        detail = r.error or r.extrinsic_hash or r.message or ""
        table.add_row(
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.policy,
            r.kind,
            r.window,
            str(r.attempt),
            r.status.value,
            _money(r.reserved, r.network, registry),
            _money(r.spent, r.network, registry),
            detail,
        )
    return table


def _planck(value: int | None) -> str | None:
    return None if value is None else str(value)


def _summary_json(s: SpendSummary, registry: NetworkRegistry) -> dict[str, Any]:
    net = registry.get(s.network)
    return {
        "policy": s.policy,
        "network": s.network,
        "token": net.token.symbol if net else None,
        "decimals": net.token.decimals if net else None,
        "today_planck": str(s.today),
        "sale": s.sale,
        "this_sale_planck": str(s.this_sale),
        "month_planck": str(s.month),
        "total_planck": str(s.total),
        "reserved_planck": str(s.reserved),
        "open_intents": s.open_intents,
    }


def _record_json(r: IntentRecord) -> dict[str, Any]:
    return {
        "action_id": r.action_id,
        "attempt": r.attempt,
        "policy": r.policy,
        "para_id": r.para_id,
        "network": r.network,
        "kind": r.kind,
        "window": r.window,
        "sale": r.sale,
        "status": r.status.value,
        "reserved_planck": str(r.reserved),
        "spent_planck": _planck(r.spent),
        "fee_planck": _planck(r.fee),
        "extrinsic_hash": r.extrinsic_hash,
        "block_number": r.block_number,
        "error": r.error,
        "reason": r.reason,
        "created_at": r.created_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
    }
