"""The render room: XCM programs from Jinja templates, checked into plain data; never sends.

One sandboxed, strict Jinja environment per template folder (`renderer_for`) renders
``<name>.v<version>.json.j2`` to JSON, which is parsed and checked structurally for its XCM
version, then handed back both as written and in the shape ``compose_call`` encodes.
"""

from __future__ import annotations

from agent.render.environment import builtin_folder, template_file
from agent.render.instructions import INSTRUCTIONS, SUPPORTED_VERSIONS
from agent.render.renderer import (
    BUILTIN,
    RenderedLocation,
    RenderedProgram,
    TemplateInfo,
    XcmRenderer,
    renderer_for,
)

__all__ = [
    "BUILTIN",
    "INSTRUCTIONS",
    "SUPPORTED_VERSIONS",
    "RenderedLocation",
    "RenderedProgram",
    "TemplateInfo",
    "XcmRenderer",
    "builtin_folder",
    "renderer_for",
    "template_file",
]
