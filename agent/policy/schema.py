"""The JSON Schema of a policy, for editors (yaml-language-server) and other tools.

Why: completion, hover docs and red squiggles while writing a policy catch most mistakes before
`validate` runs. The schema is generated from the model, so it cannot drift from it, and shaped
for the editors people use: JSON Schema draft-07 (what yaml-language-server and VS Code fully
support), ``definitions`` instead of ``$defs``, camelCase keys as written in YAML, descriptions
from the field docstrings, defaults as YAML text (``5%``, not parts per billion), and
``additionalProperties: false`` everywhere. Exact amounts and cross-field rules stay the
loader's job; the schema only knows their shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from agent.model.policy import API_VERSION, KIND, CoretimePolicy

SCHEMA_ID = "urn:coretime-agent:schema:coretime-policy:v1"
DRAFT = "http://json-schema.org/draft-07/schema#"


def policy_schema() -> dict[str, Any]:
    """The schema document, ready for ``json.dumps``."""
    raw = CoretimePolicy.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = raw.pop("$defs", {})
    for name, model in _models(CoretimePolicy).items():
        target = raw if model is CoretimePolicy else definitions.get(name)
        if target is not None:
            _serialize_defaults(model, target)
    raw.pop("title", None)
    body = _tidy(raw)
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": f"{KIND} ({API_VERSION})",
        "description": (
            "A coretime-agent policy: how one parachain gets coretime (bulk renewal, on-chain "
            "auto-renewal, purchase, on-demand), what it may pay, and who signs. "
            "Check it fully with `coretime-agent validate`."
        ),
        **body,
        "definitions": {name: _tidy(schema) for name, schema in sorted(definitions.items())},
    }


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from `root`, by class name (the schema's definition names)."""
    found: dict[str, type[BaseModel]] = {}
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item.__name__ in found:
                continue
            found[item.__name__] = item
            stack.extend(f.annotation for f in item.model_fields.values())
        else:
            stack.extend(getattr(item, "__args__", ()))
    return found


def _serialize_defaults(model: type[BaseModel], schema: dict[str, Any]) -> None:
    """Write defaults as a policy would spell them: ``'80%'`` rather than ``800000000``."""
    try:
        instance = model()
    except ValidationError:
        return  # a model with required fields has no plain defaults worth showing
    dumped = instance.model_dump(mode="json", by_alias=True)
    for key, prop in schema.get("properties", {}).items():
        if "default" in prop and key in dumped:
            prop["default"] = dumped[key]


def _tidy(node: Any) -> Any:
    """Drop generated field titles; keep descriptions next to ``$ref`` visible in draft-07."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {
                name: _tidy({k: v for k, v in prop.items() if k != "title"})
                for name, prop in value.items()
            }
        else:
            out[key] = _tidy(value)
    if "$ref" in out and len(out) > 1:
        # draft-07 ignores keywords beside $ref; wrap it so descriptions and defaults show.
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out
