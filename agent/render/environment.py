"""The one Jinja environment XCM templates render in: sandboxed, strict, no autoescape.

Why: templates are user-editable. The sandbox keeps them from reaching Python internals,
`StrictUndefined` turns a missing variable into an error instead of an empty string (which would
otherwise become malformed XCM), and autoescape is off because the output is JSON, not HTML.

Where templates come from, first match wins:
1. the user's template folder (settings ``templates``, CLI ``--templates``), so a file there with a
   built-in's name overrides it;
2. the built-in templates shipped inside the package at ``agent/data/templates/xcm`` (package data,
   so they exist in a wheel install too). The repository's top-level ``templates/xcm/`` is the
   user-facing copy to start from; a test keeps the two identical.

File names are ``<name>.v<version>.json.j2``, e.g. ``sovereign-transact.v5.json.j2``.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Undefined,
)
from jinja2.sandbox import SandboxedEnvironment

BUILTIN_PACKAGE = "agent"
BUILTIN_FOLDER = "data/templates/xcm"
SUFFIX = ".json.j2"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
FILE_PATTERN = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_-]{0,63})\.v(?P<version>[0-9]+)\.json\.j2$")


def builtin_folder() -> Path:
    """Where the built-in templates are on disk (for `render --list` and for copying)."""
    return Path(str(resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FOLDER)))


def template_file(name: str, version: int) -> str:
    return f"{name}.v{version}{SUFFIX}"


def _json(value: Any) -> str:
    """Filter: a value as JSON text (no HTML escaping, unlike Jinja's own ``tojson``)."""
    return json.dumps(value, default=_not_json)


def _not_json(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)  # a StrictUndefined raises UndefinedError, naming what is missing
    raise TypeError(f"a {type(value).__name__} cannot be written as JSON")


def build_environment(user_folder: Path | None) -> SandboxedEnvironment:
    """Build the environment once per template folder; callers keep and reuse it."""
    loaders: list[BaseLoader] = []
    if user_folder is not None:
        loaders.append(FileSystemLoader(str(user_folder), encoding="utf-8"))
    loaders.append(PackageLoader(BUILTIN_PACKAGE, BUILTIN_FOLDER, encoding="utf-8"))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["json"] = _json
    return env
