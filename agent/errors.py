"""The agent's exceptions: one root, one branch per failure domain.

Why: the CLI turns any `AgentError` into one line and an exit code, and the daemon decides
from the class whether to retry later or give up.

    AgentError
    ├── PolicyError            bad policy input (exit 2); carries every problem found
    ├── SettingsError          bad settings or arguments (exit 2)
    ├── RenderError            a template that does not render or encode (exit 2)
    ├── ChainError
    │   ├── ChainUnavailable   no endpoint answered; temporary (exit 3)
    │   └── ChainIncompatible  the runtime lacks what a policy needs; permanent (exit 3)
    ├── LedgerError            the ledger cannot be read or written (exit 1)
    └── ActionFailed           an action was tried and failed (exit 1)
"""

from __future__ import annotations

from dataclasses import dataclass


class AgentError(Exception):
    """Root of every error the agent raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file: ``file:line:col: field.path: message``."""

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        return f"{where}: {what}" + (f" (hint: {self.hint})" if self.hint else "")


class PolicyError(AgentError):
    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid policy"
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class SettingsError(AgentError):
    exit_code = 2


class RenderError(AgentError):
    exit_code = 2


class ChainError(AgentError):
    exit_code = 3


class ChainUnavailable(ChainError):
    """No endpoint of a chain answered in time. Temporary: retry with backoff."""


class ChainIncompatible(ChainError):
    """The runtime lacks a pallet, call or storage item the agent needs. Permanent."""


class LedgerError(AgentError):
    exit_code = 1


class ActionFailed(AgentError):
    exit_code = 1
