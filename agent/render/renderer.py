"""Render an XCM template to checked, plain Python data ready for ``compose_call``.

Why: the rendered program is parsed and checked before anything is encoded or signed, so a
template mistake stops the action with a one-line `RenderError` that names the template and the
variable or field at fault, instead of a SCALE error (or worse, a valid but wrong message) later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError

from agent.errors import RenderError
from agent.render.environment import (
    FILE_PATTERN,
    NAME_PATTERN,
    build_environment,
    template_file,
)
from agent.render.instructions import SUPPORTED_VERSIONS, ProgramChecker
from agent.render.locations import versioned_location
from agent.render.values import ShapeError

BUILTIN = "built-in"


@dataclass(frozen=True, slots=True)
class RenderedProgram:
    """A checked ``VersionedXcm``: as written (readable) and in ``compose_call``'s shape."""

    template: str
    """The template file, e.g. ``sovereign-transact.v5.json.j2``."""
    origin: str
    """``built-in`` or the user folder the template came from."""
    version: int
    program: Mapping[str, Any]
    """The program as the template wrote it: ``{"V5": [instruction, ...]}``."""
    message: Mapping[str, Any]
    """The same program in the shape substrate-interface's ``compose_call`` encodes."""


@dataclass(frozen=True, slots=True)
class RenderedLocation:
    """A checked ``VersionedLocation`` such as a ``PolkadotXcm.send`` destination."""

    template: str
    origin: str
    version: int
    location: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    name: str
    version: int
    origin: str


class XcmRenderer:
    """One sandboxed, strict Jinja environment over the built-in and user template folders."""

    def __init__(self, user_folder: Path | None = None) -> None:
        if user_folder is not None and not user_folder.is_dir():
            raise RenderError(
                f"template folder {user_folder} does not exist or is not a folder",
                hint="set `templates` in settings or --templates to an existing folder",
            )
        self.user_folder = user_folder
        self._env = build_environment(user_folder)

    # -- what is available -------------------------------------------------------------------

    def templates(self) -> list[TemplateInfo]:
        found: list[TemplateInfo] = []
        for file in self._env.list_templates():
            match = FILE_PATTERN.match(file)
            if match:
                found.append(
                    TemplateInfo(match["name"], int(match["version"]), self._origin_of(file))
                )
        return sorted(found, key=lambda t: (t.name, t.version))

    def _origin_of(self, file: str) -> str:
        if self.user_folder is not None and (self.user_folder / file).is_file():
            return str(self.user_folder)
        return BUILTIN

    # -- rendering ---------------------------------------------------------------------------

    def program(self, name: str, version: int, variables: Mapping[str, Any]) -> RenderedProgram:
        """Render ``<name>.v<version>.json.j2`` and check it is an XCM v<version> program."""
        file, data = self._render_json(name, version, variables)
        try:
            message = ProgramChecker(version).versioned(data)
        except ShapeError as exc:
            raise self._error(file, f"field {exc.path}: {exc.message}") from None
        return RenderedProgram(file, self._origin_of(file), version, data, message)

    def location(self, name: str, version: int, variables: Mapping[str, Any]) -> RenderedLocation:
        """Render ``<name>.v<version>.json.j2`` and check it is an XCM v<version> location."""
        file, data = self._render_json(name, version, variables)
        try:
            location = versioned_location(data, "", version)
        except ShapeError as exc:
            raise self._error(file, f"field {exc.path or 'location'}: {exc.message}") from None
        return RenderedLocation(file, self._origin_of(file), version, location)

    def _render_json(
        self, name: str, version: int, variables: Mapping[str, Any]
    ) -> tuple[str, Any]:
        if not NAME_PATTERN.match(name):
            raise RenderError(
                f"template name '{name}' is not valid",
                hint="use lower-case letters, digits, '-' and '_'; the file is "
                "<name>.v<version>.json.j2",
            )
        if version not in SUPPORTED_VERSIONS:
            raise RenderError(f"XCM v{version} is not supported; use 3, 4 or 5")
        file = template_file(name, version)
        template = self._load(file, name, version)
        self._check_variables(file, variables)
        try:
            text = template.render(**dict(variables))
        except UndefinedError as exc:
            raise self._error(file, f"undefined value: {exc.message}") from None
        except SecurityError as exc:
            raise self._error(file, f"refused by the sandbox: {exc}") from None
        except Exception as exc:  # a filter or test failing on a value of the wrong type
            raise self._error(file, f"{type(exc).__name__}: {exc}") from None
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise self._error(
                file, f"output is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except _DuplicateKey as exc:
            raise self._error(file, f"output repeats the key '{exc.key}' in one object") from None
        return file, data

    def _load(self, file: str, name: str, version: int) -> Any:
        try:
            return self._env.get_template(file)
        except TemplateNotFound:
            names = sorted({t.name for t in self.templates() if t.version == version})
            where = (
                f"{self.user_folder} and the built-in templates"
                if self.user_folder
                else ("the built-in templates")
            )
            raise RenderError(
                f"no template '{name}' for XCM v{version}: {file} is not in {where}",
                hint=f"available for v{version}: {', '.join(names) or 'none'}",
            ) from None
        except TemplateSyntaxError as exc:
            raise self._error(file, f"line {exc.lineno}: {exc.message}") from None

    def _check_variables(self, file: str, variables: Mapping[str, Any]) -> None:
        """Name every top-level variable the template uses that the caller did not give."""
        loader = self._env.loader
        assert loader is not None
        source, _, _ = loader.get_source(self._env, file)
        used = meta.find_undeclared_variables(self._env.parse(source))
        missing = sorted(used - set(variables) - set(self._env.globals))
        if missing:
            names = ", ".join(f"'{m}'" for m in missing)
            raise self._error(
                file,
                f"variable {names} is undefined",
                hint=f"variables given: {', '.join(sorted(variables)) or 'none'}",
            )

    def _error(self, file: str, message: str, hint: str | None = None) -> RenderError:
        return RenderError(f"template {file} ({self._origin_of(file)}): {message}", hint=hint)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


@lru_cache(maxsize=8)
def renderer_for(user_folder: Path | None = None) -> XcmRenderer:
    """The renderer of a template folder, built once per process and then reused."""
    return XcmRenderer(user_folder)
