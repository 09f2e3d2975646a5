"""Locations, assets and weights of XCM v3, v4 and v5, checked and put in the encoder's shape.

Why: the three versions differ in small ways that break encoding late if not caught (v3 writes
``X1`` as one junction and wraps asset ids in ``Concrete``; v4 and v5 write ``X1`` as a list of
one and the id is the location itself). A template says which version it is; these checks hold it
to that version.

The encoder's shape: substrate-interface decodes single-field tuple types (``Assets(Vec<Asset>)``,
``Xcm(Vec<Instruction>)``) to their inner list, but to *encode* them it needs that list wrapped once
more (``[[asset, ...]]``). Templates are written in the readable, decoded form; `codec` values
returned here add the wrapper so the result goes straight into ``compose_call``.
"""

from __future__ import annotations

from typing import Any

from agent.render.values import (
    ShapeError,
    choice,
    describe,
    fields,
    hex_bytes,
    is_unit,
    seq,
    uint,
    variant,
)

NETWORK_NAMES = (
    "Polkadot",
    "Kusama",
    "Westend",
    "Rococo",
    "Wococo",
    "BitcoinCore",
    "BitcoinCash",
    "PolkadotBulletin",
)
ORIGIN_KINDS = ("Native", "SovereignAccount", "Superuser", "Xcm")


def weight(value: Any, path: str) -> dict[str, int]:
    body = fields(value, path, ("ref_time", "proof_size"))
    return {
        "ref_time": uint(body["ref_time"], f"{path}.ref_time", 64),
        "proof_size": uint(body["proof_size"], f"{path}.proof_size", 64),
    }


def weight_limit(value: Any, path: str) -> Any:
    name, payload = variant(value, path, "a weight limit (Unlimited or Limited)")
    if name == "Unlimited" and is_unit(payload):
        return "Unlimited"
    if name == "Limited" and not is_unit(payload):
        return {"Limited": weight(payload, f"{path}.Limited")}
    raise ShapeError(path, f"expected 'Unlimited' or {{'Limited': weight}}, got {describe(value)}")


def network_id(value: Any, path: str) -> Any:
    """An optional NetworkId (``null`` for none)."""
    if value is None:
        return None
    name, payload = variant(value, path, "a network id")
    if name in NETWORK_NAMES and is_unit(payload):
        return name
    if name == "ByGenesis":
        return {name: hex_bytes(payload, f"{path}.ByGenesis", 32)}
    if name == "Ethereum":
        body = fields(payload, f"{path}.Ethereum", ("chain_id",))
        return {name: {"chain_id": uint(body["chain_id"], f"{path}.Ethereum.chain_id", 64)}}
    if name == "ByFork":
        body = fields(payload, f"{path}.ByFork", ("block_number", "block_hash"))
        return {
            name: {
                "block_number": uint(body["block_number"], f"{path}.ByFork.block_number", 64),
                "block_hash": hex_bytes(body["block_hash"], f"{path}.ByFork.block_hash", 32),
            }
        }
    raise ShapeError(path, f"unknown network id {describe(value)}")


def junction(value: Any, path: str) -> Any:
    name, payload = variant(value, path, "a junction")
    at = f"{path}.{name}"
    if name == "Parachain":
        return {name: uint(payload, at, 32)}
    if name == "PalletInstance":
        return {name: uint(payload, at, 8)}
    if name == "GeneralIndex":
        return {name: uint(payload, at, 128)}
    if name == "OnlyChild" and is_unit(payload):
        return name
    if name == "GlobalConsensus":
        return {name: network_id(payload, at)}
    if name == "AccountId32":
        body = fields(payload, at, ("network", "id"))
        return {
            name: {
                "network": network_id(body["network"], f"{at}.network"),
                "id": hex_bytes(body["id"], f"{at}.id", 32),
            }
        }
    if name == "AccountKey20":
        body = fields(payload, at, ("network", "key"))
        return {
            name: {
                "network": network_id(body["network"], f"{at}.network"),
                "key": hex_bytes(body["key"], f"{at}.key", 20),
            }
        }
    if name == "AccountIndex64":
        body = fields(payload, at, ("network", "index"))
        return {
            name: {
                "network": network_id(body["network"], f"{at}.network"),
                "index": uint(body["index"], f"{at}.index", 64),
            }
        }
    if name == "GeneralKey":
        body = fields(payload, at, ("length", "data"))
        length = uint(body["length"], f"{at}.length", 8)
        if length > 32:
            raise ShapeError(f"{at}.length", f"{length} is more than 32 bytes")
        return {name: {"length": length, "data": hex_bytes(body["data"], f"{at}.data", 32)}}
    raise ShapeError(
        path,
        f"unsupported junction '{name}'; use Parachain, AccountId32, AccountKey20, "
        "AccountIndex64, PalletInstance, GeneralIndex, GeneralKey, OnlyChild or GlobalConsensus",
    )


def interior(value: Any, path: str, version: int) -> Any:
    """Junctions: ``"Here"`` or ``{"X<n>": ...}`` (v3: X1 is one junction; v4+: a list of n)."""
    name, payload = variant(value, path, "junctions (Here or X1..X8)")
    if name == "Here" and is_unit(payload):
        return "Here"
    count = int(name[1:]) if len(name) == 2 and name[0] == "X" and name[1] in "12345678" else 0
    if count == 0 or is_unit(payload):
        raise ShapeError(
            path, f"expected 'Here' or {{'X1'..'X8': junctions}}, got {describe(value)}"
        )
    at = f"{path}.{name}"
    if version == 3 and count == 1:
        return {name: junction(payload, at)}
    items = seq(payload, at, min_len=count, max_len=count)
    return {name: [junction(item, f"{at}[{i}]") for i, item in enumerate(items)]}


def location(value: Any, path: str, version: int) -> dict[str, Any]:
    body = fields(value, path, ("parents", "interior"))
    return {
        "parents": uint(body["parents"], f"{path}.parents", 8),
        "interior": interior(body["interior"], f"{path}.interior", version),
    }


def asset_id(value: Any, path: str, version: int) -> Any:
    if version >= 4:
        return location(value, path, version)
    name, payload = variant(value, path, "an asset id (Concrete or Abstract)")
    if name == "Concrete" and not is_unit(payload):
        return {name: location(payload, f"{path}.Concrete", version)}
    if name == "Abstract" and not is_unit(payload):
        return {name: hex_bytes(payload, f"{path}.Abstract", 32)}
    raise ShapeError(path, f"expected {{'Concrete': location}} in XCM v3, got {describe(value)}")


def _instance(value: Any, path: str) -> Any:
    name, payload = variant(value, path, "an asset instance")
    if name == "Undefined" and is_unit(payload):
        return name
    if name == "Index":
        return {name: uint(payload, f"{path}.Index", 128)}
    sizes = {"Array4": 4, "Array8": 8, "Array16": 16, "Array32": 32}
    if name in sizes:
        return {name: hex_bytes(payload, f"{path}.{name}", sizes[name])}
    raise ShapeError(path, f"unknown asset instance {describe(value)}")


def fungibility(value: Any, path: str) -> Any:
    name, payload = variant(value, path, "Fungible or NonFungible")
    if name == "Fungible" and not is_unit(payload):
        return {name: uint(payload, f"{path}.Fungible", 128)}
    if name == "NonFungible" and not is_unit(payload):
        return {name: _instance(payload, f"{path}.NonFungible")}
    raise ShapeError(path, f"expected {{'Fungible': amount}}, got {describe(value)}")


def asset(value: Any, path: str, version: int) -> dict[str, Any]:
    body = fields(value, path, ("id", "fun"))
    return {
        "id": asset_id(body["id"], f"{path}.id", version),
        "fun": fungibility(body["fun"], f"{path}.fun"),
    }


def assets_codec(value: Any, path: str, version: int) -> list[Any]:
    """A list of assets, returned in the encoder's shape (wrapped once: ``[[...]]``)."""
    items = seq(value, path)
    return [[asset(item, f"{path}[{i}]", version) for i, item in enumerate(items)]]


def _wild(value: Any, path: str, version: int) -> Any:
    name, payload = variant(value, path, "a wild filter (All, AllOf, AllCounted, AllOfCounted)")
    at = f"{path}.{name}"
    if name == "All" and is_unit(payload):
        return name
    if name == "AllCounted":
        return {name: uint(payload, at, 32)}
    if name in ("AllOf", "AllOfCounted"):
        names = ("id", "fun") if name == "AllOf" else ("id", "fun", "count")
        body = fields(payload, at, names)
        out: dict[str, Any] = {
            "id": asset_id(body["id"], f"{at}.id", version),
            "fun": choice(body["fun"], f"{at}.fun", ("Fungible", "NonFungible")),
        }
        if name == "AllOfCounted":
            out["count"] = uint(body["count"], f"{at}.count", 32)
        return {name: out}
    raise ShapeError(path, f"unknown wild filter {describe(value)}")


def asset_filter_codec(value: Any, path: str, version: int) -> Any:
    name, payload = variant(value, path, "an asset filter (Definite or Wild)")
    if name == "Definite" and not is_unit(payload):
        return {name: assets_codec(payload, f"{path}.Definite", version)}
    if name == "Wild" and not is_unit(payload):
        return {name: _wild(payload, f"{path}.Wild", version)}
    raise ShapeError(
        path, f"expected {{'Definite': assets}} or {{'Wild': ...}}, got {describe(value)}"
    )


def versioned_location(value: Any, path: str, version: int) -> dict[str, Any]:
    """``{"V<n>": location}`` of exactly the expected version."""
    key = f"V{version}"
    name, payload = variant(value, path, f"a versioned location {{'{key}': ...}}")
    if name != key or is_unit(payload):
        raise ShapeError(path, f"expected the key '{key}' (XCM v{version}), got '{name}'")
    return {key: location(payload, f"{path}.{key}" if path else key, version)}
