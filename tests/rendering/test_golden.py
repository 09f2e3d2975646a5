"""Golden files: each built-in template, in each XCM version, renders exactly as committed.

Regenerate after an intended template change with ``UPDATE_GOLDEN=1`` and review the diff; the
committed files are what CI checks.
"""

from __future__ import annotations

import filecmp
import json
import os
from typing import Any

import pytest

from agent.render import XcmRenderer, builtin_folder
from tests.rendering.cases import GOLDEN, TOP_LEVEL_TEMPLATES, VERSIONS, program_variables

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _check_golden(name: str, produced: dict[str, Any]) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(produced, indent=2, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(path.read_text()) == produced, f"{path.name} differs from the rendering"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("topic", ["with-topic", "no-topic"])
def test_sovereign_transact_matches_golden(version: int, topic: str) -> None:
    variables = program_variables(topic=None) if topic == "no-topic" else program_variables()
    rendered = XcmRenderer().program("sovereign-transact", version, variables)
    _check_golden(
        f"sovereign-transact.v{version}.{topic}",
        {"template": rendered.template, "program": rendered.program, "message": rendered.message},
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_coretime_dest_matches_golden(version: int) -> None:
    rendered = XcmRenderer().location("coretime-dest", version, {"coretime_para_id": 1005})
    _check_golden(
        f"coretime-dest.v{version}",
        {"template": rendered.template, "location": rendered.location},
    )


def test_every_builtin_template_has_golden_files() -> None:
    templates = XcmRenderer().templates()
    assert {(t.name, t.version) for t in templates} == {
        (name, v) for name in ("coretime-dest", "sovereign-transact") for v in VERSIONS
    }
    for t in templates:
        assert list(GOLDEN.glob(f"{t.name}.v{t.version}*.json")), f"{t.name} v{t.version}"


def test_top_level_templates_are_the_packaged_ones() -> None:
    """`templates/xcm/` (the copy users start from) must not drift from the package data."""
    packaged = sorted(p.name for p in builtin_folder().iterdir() if p.suffix == ".j2")
    top = sorted(p.name for p in TOP_LEVEL_TEMPLATES.iterdir() if p.suffix == ".j2")
    assert packaged == top
    _, mismatch, errors = filecmp.cmpfiles(
        builtin_folder(), TOP_LEVEL_TEMPLATES, packaged, shallow=False
    )
    assert (mismatch, errors) == ([], []), f"templates/xcm differs from the package: {mismatch}"


def test_seed_call_sits_in_the_transact_of_every_version() -> None:
    for version in VERSIONS:
        program = XcmRenderer().program("sovereign-transact", version, program_variables()).program
        transact = [i for i in program[f"V{version}"] if isinstance(i, dict) and "Transact" in i]
        assert transact[0]["Transact"]["call"] == {"encoded": "0x32153000d007000001cd000500"}
        assert transact[0]["Transact"]["origin_kind"] == "SovereignAccount"
