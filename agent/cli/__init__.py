"""The `coretime-agent` command line. Each command lives in its own module here."""

from __future__ import annotations

from agent.cli import commands as _commands  # noqa: F401  (registers the commands)
from agent.cli.app import app, main

__all__ = ["app", "main"]
