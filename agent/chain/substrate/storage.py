"""Storage keys and value decoders built from one runtime's metadata, and batched reads at a block.

Why: `substrate.create_storage_key()` and `query()` re-initialise the runtime on every call
(three RPCs each); building keys here from the loaded metadata costs nothing, and `read_at`
fetches every fixed key plus every entry of the listed maps in a constant number of round trips
(one batch of `state_queryStorageAt` + `state_getKeysPaged`, then one batch for the map values),
all pinned to the same block hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scalecodec.base import ScaleBytes
from substrateinterface.storage import StorageKey
from substrateinterface.utils.hasher import xxh128

from agent.chain.substrate.connection import Session
from agent.errors import ChainIncompatible

PAGE_SIZE = 1000
"""Keys per `state_getKeysPaged` page (the largest page Substrate nodes serve)."""

_CONCAT_HASH_BYTES = {"Blake2_128Concat": 16, "Twox64Concat": 8, "Identity": 0}


def pallet_version_key(pallet: str) -> str:
    """Raw key of a pallet's on-chain storage version: twox128(pallet) ++ twox128(':__STORAGE_VERSION__:')."""
    raw: bytes = xxh128(pallet.encode()) + xxh128(b":__STORAGE_VERSION__:")
    return "0x" + raw.hex()


class StorageLayout:
    """Keys, prefixes and decoders of one runtime version (rebuilt after a runtime upgrade)."""

    def __init__(self, session: Session) -> None:
        self.spec_version = session.spec_version
        self.metadata = session.api.metadata
        self.config = session.api.runtime_config
        self._entries: dict[tuple[str, str], StorageKey] = {}

    def has(self, pallet: str, name: str) -> bool:
        module = self.metadata.get_metadata_pallet(pallet)
        return bool(module and module.get_storage_function(name))

    def _entry(self, pallet: str, name: str) -> StorageKey:
        found = self._entries.get((pallet, name))
        if found is None:
            if not self.has(pallet, name):
                raise ChainIncompatible(
                    f"runtime {self.spec_version} has no storage {pallet}.{name}"
                )
            found = StorageKey.create_from_storage_function(
                pallet, name, [], runtime_config=self.config, metadata=self.metadata
            )
            self._entries[(pallet, name)] = found
        return found

    def key(self, pallet: str, name: str, params: Sequence[Any] = ()) -> str:
        if not params:
            return str(self._entry(pallet, name).to_hex())
        self._entry(pallet, name)
        built = StorageKey.create_from_storage_function(
            pallet, name, list(params), runtime_config=self.config, metadata=self.metadata
        )
        return str(built.to_hex())

    def prefix(self, pallet: str, name: str) -> str:
        return self.key(pallet, name)

    def decode(self, pallet: str, name: str, raw: str | None) -> Any:
        """The value at a key (default or None when absent, as the storage's modifier says)."""
        entry = self._entry(pallet, name)
        try:
            obj = entry.decode_scale_value(ScaleBytes(raw) if raw is not None else None)
        except Exception as exc:  # scalecodec raises many kinds; all mean "not this layout"
            raise _undecodable(self.spec_version, f"{pallet}.{name}", exc) from None
        return obj.value

    def decode_key(self, pallet: str, name: str, raw_key: str) -> Any:
        """The map key(s) of a full storage key: one value, or a tuple for multi-key maps."""
        entry = self._entry(pallet, name)
        function = entry.metadata_storage_function
        types = function.get_params_type_string()
        hashers = function.get_param_hashers()
        parts = []
        for hasher, type_string in zip(hashers, types, strict=True):
            if hasher not in _CONCAT_HASH_BYTES:
                raise ChainIncompatible(f"{pallet}.{name} keys use {hasher}; they cannot be listed")
            parts += [f"[u8; {_CONCAT_HASH_BYTES[hasher]}]", type_string]
        prefix_len = len(self.prefix(pallet, name))
        obj = self.config.create_scale_object(
            f"({', '.join(parts)})", data=ScaleBytes("0x" + raw_key[prefix_len:])
        )
        try:
            obj.decode()
        except Exception as exc:
            raise _undecodable(self.spec_version, f"a {pallet}.{name} key", exc) from None
        keys = [obj.value[i] for i in range(1, len(parts), 2)]
        return keys[0] if len(keys) == 1 else tuple(keys)

    def constant(self, pallet: str, name: str) -> Any:
        module = self.metadata.get_metadata_pallet(pallet)
        if module is None:
            return None
        for constant in module.constants or []:
            if constant.value["name"] == name:
                obj = self.config.create_scale_object(
                    constant.type, data=ScaleBytes(constant.constant_value), metadata=self.metadata
                )
                obj.decode()
                return obj.value
        return None


def _undecodable(spec_version: int, what: str, exc: Exception) -> ChainIncompatible:
    return ChainIncompatible(
        f"cannot decode {what} with the metadata of runtime {spec_version}: "
        f"{type(exc).__name__}: {exc}"
    )


def _changes(result: Any) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for group in result or []:
        for key, value in group.get("changes", []):
            values[str(key).lower()] = value
    return values


@dataclass
class StateRead:
    """Raw values at one block: fixed keys, and every entry of each listed map (by prefix)."""

    values: dict[str, str | None] = field(default_factory=dict)
    maps: dict[str, dict[str, str | None]] = field(default_factory=dict)


def read_at(
    session: Session, block_hash: str, keys: Sequence[str], map_prefixes: Sequence[str]
) -> StateRead:
    """Read keys and whole maps at `block_hash` in a number of round trips independent of `keys`."""
    keys = list(dict.fromkeys(keys))
    calls: list[tuple[str, list[Any]]] = []
    if keys:
        calls.append(("state_queryStorageAt", [keys, block_hash]))
    calls += [("state_getKeysPaged", [p, PAGE_SIZE, p, block_hash]) for p in map_prefixes]
    results = session.batch(calls)
    read = StateRead(values=_changes(results[0]) if keys else {})
    pages = results[1:] if keys else results
    found: dict[str, list[str]] = {
        p: list(page or []) for p, page in zip(map_prefixes, pages, strict=True)
    }
    open_prefixes = [p for p in map_prefixes if len(found[p]) == PAGE_SIZE]
    while open_prefixes:  # grows with chain state, never with the request
        more = session.batch(
            [
                ("state_getKeysPaged", [p, PAGE_SIZE, found[p][-1], block_hash])
                for p in open_prefixes
            ]
        )
        for p, page in zip(open_prefixes, more, strict=True):
            found[p] += list(page or [])
        open_prefixes = [
            p for p, page in zip(open_prefixes, more, strict=True) if len(page or []) == PAGE_SIZE
        ]
    all_keys = [k for p in map_prefixes for k in found[p]]
    chunks = [all_keys[i : i + PAGE_SIZE] for i in range(0, len(all_keys), PAGE_SIZE)]
    merged: dict[str, str | None] = {}
    for result in session.batch([("state_queryStorageAt", [c, block_hash]) for c in chunks]):
        merged.update(_changes(result))
    for p in map_prefixes:
        read.maps[p] = {k.lower(): merged.get(k.lower()) for k in found[p]}
    for k in keys:
        read.values.setdefault(k.lower(), None)
    return read
