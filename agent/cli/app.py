"""The Typer application, its global options, and the one place errors become exit codes.

Exit codes: 0 ok, 1 an action failed, 2 bad input (policy, arguments, settings),
3 chain unreachable. Errors print as one line on stderr; tracebacks only with ``--debug``.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from agent.errors import AgentError
from agent.settings import AgentSettings, load_settings

EXIT_OK, EXIT_ACTION_FAILED, EXIT_BAD_INPUT, EXIT_CHAIN = 0, 1, 2, 3

app = typer.Typer(
    name="coretime-agent",
    help=(
        "Keep Polkadot parachains supplied with coretime, unattended.\n\n"
        "Policies (YAML, kept in Git) say how each para gets coretime: bulk renewal, on-chain "
        "auto-renewal, purchase, on-demand fallback, price caps and budgets. The agent reads the "
        "Coretime and relay chains each block window, plans, checks the budget, renders XCM, "
        "submits, confirms by events and records every planck in a ledger.\n\n"
        "Exit codes: 0 ok, 1 an action failed, 2 bad input, 3 chain unreachable."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class CliState:
    settings_file: Path | None = None
    debug: bool = False

    def settings(self, **overrides: object) -> AgentSettings:
        return load_settings(settings_file=self.settings_file, **overrides)


@app.callback()
def _root(
    ctx: typer.Context,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="TOML settings file (endpoints, signers, ledger). "
            "Environment variables CORETIME_AGENT_* override it.",
            envvar="CORETIME_AGENT_SETTINGS_FILE",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    ctx.obj = CliState(settings_file=settings_file, debug=debug)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliState) else CliState()


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print one error line and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; never lets a traceback reach the user by default."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        app(args=args, standalone_mode=True)  # handles usage errors (exit 2) and --help itself
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_BAD_INPUT)
    except AgentError as exc:
        if debug:
            logging.getLogger("agent").exception("failed")
        typer.echo(f"error: {exc.one_line()}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if debug:
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            err=True,
        )
        return EXIT_ACTION_FAILED
    return EXIT_OK
