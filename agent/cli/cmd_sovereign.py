"""`coretime-agent sovereign PARA_ID`: the para's sibling and child accounts."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer

from agent.cli.app import app, fail, state
from agent.runtime.sovereign import sovereign_accounts


@app.command()
def sovereign(
    ctx: typer.Context,
    para_id: Annotated[
        int, typer.Argument(help="The parachain id, e.g. 2000.", min=0, max=2**32 - 1)
    ],
    network: Annotated[
        str, typer.Option("--network", "-n", help="Network preset or custom network name.")
    ] = "polkadot",
    ss58: Annotated[
        int | None,
        typer.Option(
            "--ss58",
            help="Print SS58 with this prefix instead of the network's (e.g. 42).",
            min=0,
            max=16383,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the para's sovereign accounts: the sibling account on the Coretime chain (it pays
    auto-renewals; fund it there) and the child account on the relay, as hex and SS58."""
    registry = state(ctx).settings().network_registry()
    net = registry.get(network)
    if net is None:
        raise fail(f"unknown network '{network}'; use one of {', '.join(registry.names())}")
    acc = sovereign_accounts(para_id, net, ss58)
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(acc), indent=2))
        return
    typer.echo(f"para {para_id} on {net.name}")
    typer.echo(
        f"  sibling account (Coretime chain, pays auto-renewal)  prefix {acc.sibling_prefix}"
    )
    typer.echo(f"    hex   {acc.sibling_hex}")
    typer.echo(f"    ss58  {acc.sibling_ss58}")
    typer.echo(f"  child account (relay chain)  prefix {acc.child_prefix}")
    typer.echo(f"    hex   {acc.child_hex}")
    typer.echo(f"    ss58  {acc.child_ss58}")
