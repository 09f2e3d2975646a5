"""Load policy files into a `PolicySet`, or refuse with every problem found.

Why: the daemon must only ever run with a fully valid set (a bad edit keeps the last good one),
and CI must show a person everything wrong in one run. So nothing stops at the first problem:
YAML errors, field errors, cross-field rules and cross-file collisions are all collected, in
file order, and raised together as one `PolicyError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap

from agent.errors import PolicyError, Problem
from agent.model.money import Token
from agent.model.network import NetworkRegistry
from agent.model.policy import KIND, CoretimePolicy, LoadedPolicy, PolicySet
from agent.policy.checks import Finding, Placed, check_across, check_policy
from agent.policy.messages import translate
from agent.policy.positions import Loc, Locator, format_path, to_plain
from agent.policy.source import Document, discover, read_documents

_START_HINT = "a policy is a mapping with apiVersion, kind, metadata and spec"


@dataclass(frozen=True, slots=True)
class _Valid:
    loaded: LoadedPolicy
    document: Document
    locator: Locator

    def where(self, loc: Loc) -> str:
        line, _ = self.locator.position(loc)
        return f"{self.document.file}:{line}"


def load_policies(paths: Sequence[Path], registry: NetworkRegistry) -> PolicySet:
    """Read files and folders of policies; raise `PolicyError` listing every problem found."""
    files, problems = discover(paths)
    valid: list[_Valid] = []
    for file in files:
        documents, found = read_documents(file)
        problems.extend(found)
        for document in documents:
            result, found = _load_document(document, registry)
            problems.extend(found)
            if result is not None:
                valid.append(result)
    placed = [Placed(v.loaded.policy, v.where) for v in valid]
    for index, finding in check_across(placed):
        problems.append(_at(valid[index].document, valid[index].locator, finding))
    if problems:
        order = {str(path): i for i, path in enumerate(files)}
        problems.sort(key=lambda p: (order.get(p.file, -1), p.line, p.column))
        raise PolicyError(problems)
    return PolicySet(tuple(v.loaded for v in valid))


def _load_document(
    document: Document, registry: NetworkRegistry
) -> tuple[_Valid | None, list[Problem]]:
    locator = Locator(document.root, document.line, document.column)
    if not isinstance(document.root, CommentedMap):
        return None, [
            Problem(
                document.file,
                document.line,
                document.column,
                "",
                f"the document is {_what(document.root)}, not a mapping",
                hint=_START_HINT,
            )
        ]
    data, odd = to_plain(document.root)
    if odd:
        return None, [_at(document, locator, Finding(loc, message)) for loc, message in odd]
    kind = data.get("kind")
    if isinstance(kind, str) and kind != KIND:
        finding = Finding(
            ("kind",),
            f"'{kind}' is not {KIND}, so this document is not a policy",
            hint="keep only CoretimePolicy documents among the policy files",
        )
        return None, [_at(document, locator, finding)]
    try:
        # by_name=False: the YAML spelling is camelCase only, as in the schema (no `max_price`).
        policy = CoretimePolicy.model_validate(
            data, context=_context(data, registry), by_alias=True, by_name=False
        )
    except ValidationError as exc:
        token = _context(data, registry).get("token")
        symbol = token.symbol if isinstance(token, Token) else None
        return None, [_from_pydantic(document, locator, err, symbol) for err in exc.errors()]
    network = registry.get(policy.spec.network)
    if network is None:  # pragma: no cover - the model's own validator refuses unknown networks
        raise AssertionError(f"network {policy.spec.network} vanished from the registry")
    loaded = LoadedPolicy(policy, network, document.source, digest(policy))
    problems = [_at(document, locator, finding) for finding in check_policy(policy)]
    return _Valid(loaded, document, locator), problems


def _context(data: dict[str, Any], registry: NetworkRegistry) -> dict[str, Any]:
    """The registry, and the token of `spec.network` when that network exists."""
    context: dict[str, Any] = {"networks": registry}
    spec = data.get("spec")
    name = spec.get("network") if isinstance(spec, dict) else None
    network = registry.get(name) if isinstance(name, str) else None
    if network is not None:
        context["token"] = network.token
    return context


def _from_pydantic(
    document: Document, locator: Locator, error: ErrorDetails, symbol: str | None
) -> Problem:
    loc: Loc = tuple(part for part in error["loc"] if isinstance(part, str | int))
    message = translate(error, symbol)
    line, column = locator.position(loc, at_key=message.at_key)
    return Problem(document.file, line, column, format_path(loc), message.text, message.hint)


def _at(document: Document, locator: Locator, finding: Finding) -> Problem:
    line, column = locator.position(finding.path)
    return Problem(
        document.file, line, column, format_path(finding.path), finding.message, finding.hint
    )


def digest(policy: CoretimePolicy) -> str:
    """sha256 of the policy's canonical JSON (sorted keys, no spaces, camelCase keys)."""
    data = policy.model_dump(mode="json", by_alias=True)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _what(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) < 40 else "a text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a single value"
