"""Runtime metadata kept on disk by genesis hash and spec version, and decoded once per process.

Why: metadata is 350-400 KB per runtime and a restart or a fail-over would fetch it again.
substrate-interface looks metadata up in a "cache region" (a dogpile-style object with
``get``/``set``) before it calls ``state_getMetadata``; `MetadataRegion` is such an object. It
stores the raw SCALE bytes in ``<dir>/<genesis>-<spec>.<kind>.scale`` (written atomically) and
keeps decoded objects in memory so a reconnect inside the process decodes nothing. Decoding the
bytes (about 1 s) cannot be skipped across processes: scalecodec objects do not pickle.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from scalecodec.base import RuntimeConfigurationObject, ScaleBytes

logger = logging.getLogger(__name__)

METADATA_V14 = "v14"
METADATA_V15 = "v15"


class MetadataCache:
    """Raw metadata blobs on disk (optional) plus decoded objects shared by the whole process."""

    _decoded: ClassVar[dict[tuple[str, int, str], tuple[Any, bytes]]] = {}
    """(genesis, spec, kind) -> (decoded object, raw bytes), shared by every instance."""
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.disk_hits = 0
        self.disk_writes = 0

    def _path(self, genesis_hash: str, spec_version: int, kind: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{genesis_hash.removeprefix('0x')}-{spec_version}.{kind}.scale"

    def load_raw(self, genesis_hash: str, spec_version: int, kind: str) -> bytes | None:
        path = self._path(genesis_hash, spec_version, kind)
        if path is None or not path.is_file():
            return None
        self.disk_hits += 1
        return path.read_bytes()

    def store_raw(self, genesis_hash: str, spec_version: int, kind: str, raw: bytes) -> None:
        path = self._path(genesis_hash, spec_version, kind)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".metadata-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
            os.replace(tmp, path)
            self.disk_writes += 1
        except OSError as exc:  # a read-only cache dir must not stop the agent
            logger.warning("cannot write metadata cache %s: %s", path, exc)

    def decoded(
        self,
        genesis_hash: str,
        spec_version: int,
        kind: str,
        decode: Callable[[bytes], Any],
        fetch: Callable[[], bytes] | None = None,
    ) -> Any:
        """The decoded metadata: from memory, else from disk, else `fetch()` (then stored)."""
        key = (genesis_hash, spec_version, kind)
        with self._lock:
            known = self._decoded.get(key)
        if known is not None:
            self._ensure_on_disk(genesis_hash, spec_version, kind, known[1])
            return known[0]
        raw = self.load_raw(genesis_hash, spec_version, kind)
        if raw is None:
            if fetch is None:
                return None
            raw = fetch()
            self.store_raw(genesis_hash, spec_version, kind, raw)
        return self.remember(genesis_hash, spec_version, kind, decode(raw), raw)

    def remember(
        self, genesis_hash: str, spec_version: int, kind: str, value: Any, raw: bytes
    ) -> Any:
        """Keep a decoded object for the rest of the process; the first one kept wins."""
        with self._lock:
            return self._decoded.setdefault((genesis_hash, spec_version, kind), (value, raw))[0]

    def _ensure_on_disk(self, genesis_hash: str, spec_version: int, kind: str, raw: bytes) -> None:
        path = self._path(genesis_hash, spec_version, kind)
        if path is not None and not path.is_file():
            self.store_raw(genesis_hash, spec_version, kind, raw)

    def region(
        self, genesis_hash: str, runtime_config: RuntimeConfigurationObject
    ) -> MetadataRegion:
        return MetadataRegion(self, genesis_hash, runtime_config)


def decode_metadata_v14(runtime_config: RuntimeConfigurationObject, raw: bytes) -> Any:
    obj = runtime_config.create_scale_object("MetadataVersioned", data=ScaleBytes(raw))
    obj.decode()
    return obj


class MetadataRegion:
    """The cache-region object substrate-interface consults in `init_runtime` (key METADATA_<spec>)."""

    def __init__(
        self, cache: MetadataCache, genesis_hash: str, runtime_config: RuntimeConfigurationObject
    ) -> None:
        self._cache = cache
        self._genesis = genesis_hash
        self._config = runtime_config

    @staticmethod
    def _spec(key: str) -> int | None:
        text = key.removeprefix("METADATA_")
        return int(text) if text.isdigit() else None

    def get(self, key: str) -> Any:
        spec = self._spec(key)
        if spec is None:
            return None
        return self._cache.decoded(
            self._genesis,
            spec,
            METADATA_V14,
            lambda raw: decode_metadata_v14(self._config, raw),
        )

    def set(self, key: str, value: Any) -> None:
        spec = self._spec(key)
        if spec is None:
            return
        raw = bytes(value.data.data)
        self._cache.store_raw(self._genesis, spec, METADATA_V14, raw)
        self._cache.remember(self._genesis, spec, METADATA_V14, value, raw)
