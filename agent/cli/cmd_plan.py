"""`plan`: what the agent would do now, and why, submitting nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from agent.cli.app import app, state
from agent.cli.options import JsonOpt, LedgerOpt, PoliciesOpt
from agent.model.money import format_amount
from agent.runtime.preview import preview
from agent.runtime.wiring import build_agent


@app.command()
def plan(
    ctx: typer.Context,
    policies: PoliciesOpt = None,
    ledger: LedgerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show what would be done now for every policy, with the reason for each decision (and
    for each thing not done), the budget check and the alerts. Reads the chains and the ledger;
    writes and submits nothing. Signers without a secret are shown without balances."""
    settings = state(ctx).settings()
    agent = build_agent(settings, policies, ledger_url=ledger, dry_run=True, need_signers=False)
    for name in sorted({p.policy.spec.signer for p in agent.policies.policies}):
        try:
            agent.signers[name] = settings.signer(name)
        except Exception:
            continue
    try:
        previews = preview(agent, datetime.now(UTC))
    finally:
        agent.close()
    tokens = {p.name: p.network.token for p in agent.policies.policies}
    if as_json:
        typer.echo(json.dumps([_as_json(p) for p in previews], indent=2, default=str))
        return
    console = Console()
    for p in previews:
        snap = p.snapshot
        console.print(
            f"[bold]{p.network}[/] at Coretime block #{snap.coretime_block.number} "
            f"(relay {snap.relay_block_number})"
        )
        table = Table("policy", "topic", "decision", "why", show_lines=False)
        for d in p.plan.decisions:
            table.add_row(d.policy, d.topic, d.outcome, d.reason)
        console.print(table)
        for action in p.guard.approved:
            cost = format_amount(action.max_cost, tokens[action.policy])
            console.print(
                f"  would [green]{action.kind.value}[/] for {action.policy} "
                f"(up to {cost}): {action.reason}"
            )
        for action, reason in p.guard.refused:
            console.print(f"  refused [red]{action.kind.value}[/] for {action.policy}: {reason}")
        for alert in (*p.plan.alerts, *p.guard.alerts):
            console.print(f"  alert [yellow]{alert.kind.value}[/] {alert.policy}: {alert.message}")


def _as_json(p: Any) -> dict[str, Any]:
    return {
        "network": p.network,
        "block": {
            "number": p.snapshot.coretime_block.number,
            "hash": p.snapshot.coretime_block.hash,
        },
        "relay_block": p.snapshot.relay_block_number,
        "decisions": [vars_of(d) for d in p.plan.decisions],
        "approved": [_action(a) for a in p.guard.approved],
        "refused": [{**_action(a), "refusal": r} for a, r in p.guard.refused],
        "alerts": [vars_of(a) for a in (*p.plan.alerts, *p.guard.alerts)],
    }


def _action(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind.value,
        "policy": a.policy,
        "para_id": a.para_id,
        "window": a.window,
        "max_cost": str(a.max_cost),
        "expected_cost": None if a.expected_cost is None else str(a.expected_cost),
        "call": {
            "chain": a.call.chain.value,
            "pallet": a.call.pallet,
            "function": a.call.function,
            "args": dict(a.call.args),
        },
        "reason": a.reason,
    }


def vars_of(obj: Any) -> dict[str, Any]:
    return {
        k: getattr(obj, k).value if hasattr(getattr(obj, k), "value") else getattr(obj, k)
        for k in obj.__slots__
    }
