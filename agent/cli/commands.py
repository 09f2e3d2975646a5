"""Imports every command module so each registers itself on the app."""

from __future__ import annotations

from agent.cli import (
    cmd_demo,  # noqa: F401
    cmd_doctor,  # noqa: F401
    cmd_ledger,  # noqa: F401
    cmd_plan,  # noqa: F401
    cmd_render,  # noqa: F401
    cmd_run,  # noqa: F401
    cmd_schema,  # noqa: F401
    cmd_simulate,  # noqa: F401
    cmd_sovereign,  # noqa: F401
    cmd_validate,  # noqa: F401
)
