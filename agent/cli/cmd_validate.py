"""`coretime-agent validate PATH...`: check policies the way the daemon will load them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.app import EXIT_BAD_INPUT, app, state
from agent.errors import PolicyError, Problem
from agent.model.policy import LoadedPolicy
from agent.policy import describe, load_policies

_HELP = """Check policy files exactly as the daemon loads them, and explain every problem.

PATH is a policy file, a file with several documents separated by '---', or a folder (read
recursively: *.yaml and *.yml, sorted, hidden files skipped). Give several to check them
together: names must be unique and each para may have one policy per network, across all of
them.

All problems are reported in one run, one line each on stderr, like a compiler:

\b
    policies/acala.yaml:20:15: spec.renewal.maxPrice: 1.5 is a bare number,
      not an amount (hint: write '1.5 DOT')

Amounts are exact: write '150 DOT' or '0.25 KSM' (in the network's token, with no more decimals
than it has) or an integer of planck; a bare 1.5 is refused. Percentages carry a sign: '5%'.
Custom networks come from the settings file (--settings).

When everything is valid, one line per policy shows what it will do, e.g.

\b
    ok  policies/acala.yaml  acala  polkadot para 2000  renewal≤150 DOT,
      budget 400 DOT/sale

--json prints the same as one JSON object on stdout, for scripts and CI annotations.

Exit codes: 0 all valid, 2 at least one problem (or bad settings). Run it in CI and in a
pre-commit hook; the daemon refuses a policy set that fails it and keeps the last valid one.
"""


@app.command(help=_HELP)
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="Policy files or folders.", show_default=False, metavar="PATH"),
    ],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object on stdout instead: {valid, policies: [...], "
            "problems: [{file, line, column, path, message, hint}]}. The exit code is the same.",
        ),
    ] = False,
) -> None:
    registry = state(ctx).settings().network_registry()
    try:
        policy_set = load_policies(paths, registry)
    except PolicyError as exc:
        if as_json:
            typer.echo(json.dumps(_result([], exc.problems), indent=2, ensure_ascii=False))
        else:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            files = len({p.file for p in exc.problems})
            count = len(exc.problems)
            typer.echo(
                f"{count} problem{'s' if count != 1 else ''} in {files} "
                f"file{'s' if files != 1 else ''}; nothing was loaded",
                err=True,
            )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    policies = list(policy_set.policies)
    if as_json:
        typer.echo(json.dumps(_result(policies, []), indent=2, ensure_ascii=False))
        return
    rows = [
        (p.source, p.name, f"{p.network.name} para {p.para_id}", describe(p.policy))
        for p in policies
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for source, name, where, summary in rows:
        typer.echo(
            f"ok  {source.ljust(widths[0])}  {name.ljust(widths[1])}  "
            f"{where.ljust(widths[2])}  {summary}"
        )


def _result(policies: list[LoadedPolicy], problems: list[Problem]) -> dict[str, Any]:
    return {
        "valid": not problems,
        "policies": [
            {
                "source": p.source,
                "name": p.name,
                "network": p.network.name,
                "paraId": p.para_id,
                "digest": p.digest,
                "summary": describe(p.policy),
            }
            for p in policies
        ],
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "path": p.path,
                "message": p.message,
                "hint": p.hint,
            }
            for p in problems
        ],
    }
