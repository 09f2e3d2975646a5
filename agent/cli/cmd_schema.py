"""`coretime-agent schema`: the policy JSON Schema, for editors and other tools."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.app import app, fail
from agent.policy import policy_schema

_HELP = """Print the JSON Schema of a policy (CoretimePolicy, apiVersion coretime-agent/v1).

Editors use it for completion, hover docs and inline errors while you write a policy. Save it
next to your policies and point yaml-language-server (the VS Code YAML extension, Neovim, Helix,
...) at it with a first line in each policy file:

\b
    coretime-agent schema --output policies/coretime-policy.schema.json
    # yaml-language-server: $schema=./coretime-policy.schema.json

or map it once for a whole folder in VS Code's settings.json:

\b
    "yaml.schemas": {"./policies/coretime-policy.schema.json": "policies/*.yaml"}

The schema is JSON Schema draft-07 with camelCase keys as written in YAML and no unknown keys
allowed. It checks shapes only: exact amounts in the network's token, percent limits and rules
across fields and files are checked by `coretime-agent validate`, which CI should run.
"""


@app.command(help=_HELP)
def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the schema to this file (replaced atomically) instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    text = json.dumps(policy_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        _write_atomically(output, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output}")


def _write_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside `path`, then rename it over: readers never see half."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
