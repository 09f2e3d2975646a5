"""What is derived from one chain's runtime and kept until the session or the runtime changes.

Why: storage keys, runtime-API types and capabilities are built from metadata once, not per
tick. A reconnect (a new session) or a runtime upgrade seen at a snapshot's block rebuilds them.
"""

from __future__ import annotations

from typing import Any

from scalecodec.base import ScaleBytes

from agent.chain.substrate.connection import ChainConnection, Session
from agent.chain.substrate.runtime_apis import (
    RuntimeApis,
    api_names_from_version,
    load_runtime_apis,
)
from agent.chain.substrate.storage import StorageLayout, pallet_version_key


class RuntimeView:
    """A chain connection plus the layout, APIs and version facts of its current runtime."""

    def __init__(self, connection: ChainConnection) -> None:
        self.connection = connection
        self._key: tuple[int, int] | None = None
        self._layout: StorageLayout | None = None
        self._apis: RuntimeApis | None = None
        self._apis_loaded = False
        self._version: dict[str, Any] | None = None

    def _current(self, session: Session) -> tuple[int, int]:
        key = (self.connection.generation, session.spec_version)
        if key != self._key:
            self._key = key
            self._layout = None
            self._apis = None
            self._apis_loaded = False
            self._version = None
        return key

    def layout(self, session: Session) -> StorageLayout:
        self._current(session)
        if self._layout is None:
            self._layout = StorageLayout(session)
        return self._layout

    def version(self, session: Session) -> dict[str, Any]:
        """`state_getRuntimeVersion` of the loaded runtime (spec name, API hashes)."""
        self._current(session)
        if self._version is None:
            self._version = dict(session.request("state_getRuntimeVersion", []))
        return self._version

    def apis(self, session: Session) -> RuntimeApis | None:
        self._current(session)
        if not self._apis_loaded:
            self._apis = load_runtime_apis(session)
            self._apis_loaded = True
        return self._apis

    def api_names(self, session: Session) -> frozenset[str]:
        apis = self.apis(session)
        if apis is not None:
            return apis.names
        return api_names_from_version(self.version(session).get("apis", []))

    def pallet_storage_version(self, session: Session, pallet: str, at: str | None = None) -> int:
        raw = session.request("state_getStorage", [pallet_version_key(pallet), at])
        return decode_u16(session, raw)

    def upgrade_to(self, session: Session, block_hash: str) -> None:
        """Load the runtime of `block_hash` (after a runtime upgrade) and drop derived objects."""
        session.api.init_runtime(block_hash=block_hash)
        self._current(session)


def decode_u16(session: Session, raw: str | None) -> int:
    if raw is None:
        return 0
    obj = session.api.runtime_config.create_scale_object("u16", data=ScaleBytes(raw))
    return int(obj.decode())
