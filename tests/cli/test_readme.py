"""The README's quick-start commands run as written (pydantic-settings' habit: docs are tests)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from agent.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def _quick_start_commands() -> list[str]:
    text = README.read_text()
    block = text.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith(".venv/bin/coretime-agent")]


def test_the_quick_start_has_commands() -> None:
    assert len(_quick_start_commands()) >= 3


@pytest.mark.parametrize("command", _quick_start_commands())
def test_quick_start_command_runs(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(README.parent)
    args = shlex.split(command)[1:]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.strip()


def test_readme_policy_example_validates(tmp_path: Path) -> None:
    text = README.read_text()
    example = re.search(r"## Policies.*?```yaml\n(.*?)```", text, re.S)
    assert example is not None
    path = tmp_path / "readme-example.yaml"
    path.write_text(example.group(1))
    assert main(["validate", str(path)]) == 0
