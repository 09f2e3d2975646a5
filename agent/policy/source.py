"""Find policy files and read their YAML documents, keeping every node's line and column.

Why: a policy error must point at the exact place in the file a person edits. The round-trip
loader of ruamel.yaml keeps positions on every mapping and list (``.lc``), so a pydantic error
location can be turned back into ``file:line:col`` by `agent.policy.positions`.

Folders are read recursively (``*.yaml`` and ``*.yml``, sorted, hidden files and folders skipped);
a file may hold several documents separated by ``---``. Nothing here raises on bad input: every
problem is returned, so one run reports all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from agent.errors import Problem

SUFFIXES = (".yaml", ".yml")
_START_HINT = "a policy starts with 'apiVersion: coretime-agent/v1' and 'kind: CoretimePolicy'"


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a policy file, still as ruamel nodes (positions intact)."""

    file: str
    """The file as it is shown in problems, e.g. ``policies/acala.yaml``."""
    index: int
    """1-based position of the document in its file."""
    count: int
    """How many documents the file holds."""
    root: Any
    line: int
    """1-based line where the document's content starts."""
    column: int

    @property
    def source(self) -> str:
        """The file, plus ``#index`` when the file holds several documents."""
        return self.file if self.count == 1 else f"{self.file}#{self.index}"


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into policy files, in a stable order, without duplicates."""
    found: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = sorted(_policy_files(path), key=lambda p: p.relative_to(path).as_posix())
            if not files:
                problems.append(
                    Problem(
                        str(path),
                        1,
                        1,
                        "",
                        "no policy files in this folder",
                        hint="policies are *.yaml or *.yml files",
                    )
                )
        elif path.is_file():
            files = [path]
        else:
            problems.append(Problem(str(path), 1, 1, "", "no such file or folder"))
            continue
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found, problems


def _policy_files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.suffix in SUFFIXES and path.is_file():
            yield path


def read_documents(path: Path) -> tuple[list[Document], list[Problem]]:
    """Parse every document of one file; a syntax error ends the file with one problem."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [Problem(label, 1, 1, "", f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return [], [Problem(label, 1, 1, "", f"cannot read the file: {exc.strerror}")]
    roots: list[Any] = []
    problems: list[Problem] = []
    yaml = YAML(typ="rt", pure=True)
    try:
        roots.extend(yaml.load_all(text))
    except MarkedYAMLError as exc:
        problems.append(_syntax_problem(label, exc))
    except YAMLError as exc:  # pragma: no cover - ruamel marks its errors
        problems.append(Problem(label, 1, 1, "", f"YAML error: {exc}"))
    starts = _document_starts(text, len(roots)) if roots else []
    documents = [
        Document(label, i + 1, len(roots), root, *starts[i])
        for i, root in enumerate(roots)
        if root is not None
    ]
    if not documents and not problems:
        what = "the file is empty" if not roots else "the file holds only empty documents"
        problems.append(Problem(label, 1, 1, "", what, hint=_START_HINT))
    return documents, problems


def _document_starts(text: str, count: int) -> list[tuple[int, int]]:
    """Where each document's content begins (1-based), from the parser's own events."""
    starts: list[tuple[int, int]] = []
    try:
        for node in YAML(typ="rt", pure=True).compose_all(text):
            mark = node.start_mark if node is not None else None
            starts.append((mark.line + 1, mark.column + 1) if mark is not None else (1, 1))
    except YAMLError:
        pass  # documents after a syntax error were not returned either
    starts.extend([(1, 1)] * (count - len(starts)))
    return starts


_DUPLICATE = re.compile(r'found duplicate key "(?P<key>[^"]*)"')


def _syntax_problem(label: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (exc.problem or "").strip().replace("\t", "\\t")
    duplicate = _DUPLICATE.search(problem)
    if duplicate:
        return Problem(
            label,
            line,
            column,
            "",
            f"duplicate key '{duplicate.group('key')}'",
            hint="a key may appear only once in a mapping; remove or merge one of them",
        )
    hint: str | None = None
    if "\\t" in problem:
        hint = "indent with spaces; YAML does not allow tabs"
    elif "mapping values are not allowed" in problem:
        hint = "check this line's indentation, or quote a value that contains ': '"
    elif exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        hint = f"{exc.context.strip()} that starts at {exc.context_mark.line + 1}:{exc.context_mark.column + 1}"
    return Problem(label, line, column, "", f"YAML syntax error: {problem}", hint=hint)
