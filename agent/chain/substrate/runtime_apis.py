"""Runtime APIs by name, from metadata V15 (which substrate-interface 1.8 cannot read itself).

Why: the dry run (`DryRunApi.dry_run_call`) and the list of runtime APIs a node offers are only
described in metadata V15. scalecodec knows every V14 building block, so V15 is declared here
as a few struct definitions over those blocks and decoded into its own type registry (prefix
``v15::``); parameters and results are then encoded and decoded through the types V15 names.
When a runtime has no V15, API names are matched against the hashes in ``state_getRuntimeVersion``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from agent.chain.substrate.connection import Session
from agent.chain.substrate.metadata_cache import METADATA_V15

_V15_TYPES: dict[str, Any] = {
    "MetadataV15Prefixed": {
        "type": "struct",
        "type_mapping": [["magic", "[u8; 4]"], ["version", "u8"], ["metadata", "MetadataV15"]],
    },
    "MetadataV15": {
        "type": "struct",
        "type_mapping": [
            ["types", "PortableRegistry"],
            ["pallets", "Vec<PalletMetadataV15>"],
            ["extrinsic", "ExtrinsicMetadataV15"],
            ["runtime_type", "SiLookupTypeId"],
            ["apis", "Vec<RuntimeApiMetadataV15>"],
        ],
    },
    "PalletMetadataV15": {
        "type": "struct",
        "type_mapping": [
            ["name", "Text"],
            ["storage", "Option<StorageMetadataV14>"],
            ["calls", "Option<PalletCallMetadataV14>"],
            ["event", "Option<PalletEventMetadataV14>"],
            ["constants", "Vec<PalletConstantMetadataV14>"],
            ["error", "Option<PalletErrorMetadataV14>"],
            ["index", "u8"],
            ["docs", "Vec<Text>"],
        ],
    },
    "ExtrinsicMetadataV15": {
        "type": "struct",
        "type_mapping": [
            ["version", "u8"],
            ["address_ty", "SiLookupTypeId"],
            ["call_ty", "SiLookupTypeId"],
            ["signature_ty", "SiLookupTypeId"],
            ["extra_ty", "SiLookupTypeId"],
            ["signed_extensions", "Vec<SignedExtensionMetadataV14>"],
        ],
    },
    "RuntimeApiMetadataV15": {
        "type": "struct",
        "type_mapping": [
            ["name", "Text"],
            ["methods", "Vec<RuntimeApiMethodMetadataV15>"],
            ["docs", "Vec<Text>"],
        ],
    },
    "RuntimeApiMethodMetadataV15": {
        "type": "struct",
        "type_mapping": [
            ["name", "Text"],
            ["inputs", "Vec<RuntimeApiMethodParamMetadataV15>"],
            ["output", "SiLookupTypeId"],
            ["docs", "Vec<Text>"],
        ],
    },
    "RuntimeApiMethodParamMetadataV15": {
        "type": "struct",
        "type_mapping": [["name", "Text"], ["ty", "SiLookupTypeId"]],
    },
}

KNOWN_APIS = (
    "Core",
    "Metadata",
    "BlockBuilder",
    "TaggedTransactionQueue",
    "AccountNonceApi",
    "TransactionPaymentApi",
    "TransactionPaymentCallApi",
    "XcmPaymentApi",
    "DryRunApi",
    "LocationToAccountApi",
    "BrokerApi",
    "OnDemandApi",
    "ParachainHost",
)
"""Names looked for in the version's API hashes when a runtime has no metadata V15."""


def api_id(name: str) -> str:
    """The 8-byte id a runtime version lists for an API: blake2b-64 of its name."""
    return "0x" + blake2b(name.encode(), digest_size=8).hexdigest()


def api_names_from_version(version_apis: Iterable[Sequence[Any]]) -> frozenset[str]:
    present = {str(entry[0]).lower() for entry in version_apis}
    return frozenset(name for name in KNOWN_APIS if api_id(name) in present)


@dataclass(frozen=True, slots=True)
class ApiMethod:
    api: str
    name: str
    inputs: tuple[tuple[str, int], ...]
    output: int


class RuntimeApis:
    """The runtime APIs of one runtime, and a type registry to encode and decode their values."""

    def __init__(self, methods: Mapping[tuple[str, str], ApiMethod], config: Any) -> None:
        self.methods = dict(methods)
        self.config = config
        self.names = frozenset(api for api, _ in self.methods)

    def method(self, api: str, name: str) -> ApiMethod | None:
        return self.methods.get((api, name))

    def encode_args(self, method: ApiMethod, args: Sequence[Any]) -> str:
        """SCALE of the arguments in order; a `bytes` argument is taken as already encoded."""
        if len(args) != len(method.inputs):
            raise ValueError(
                f"{method.api}.{method.name} takes {len(method.inputs)} arguments, got {len(args)}"
            )
        data = b""
        for (_, type_id), value in zip(method.inputs, args, strict=True):
            if isinstance(value, bytes):
                data += value
            else:
                obj = self.config.create_scale_object(f"v15::{type_id}")
                data += bytes(obj.encode(value).data)
        return "0x" + data.hex()

    def decode_output(self, method: ApiMethod, result_hex: str) -> Any:
        obj = self.config.create_scale_object(f"v15::{method.output}", data=ScaleBytes(result_hex))
        obj.decode(check_remaining=False)
        return obj.value

    def call(
        self, session: Session, api: str, name: str, args: Sequence[Any], at: str | None
    ) -> Any:
        method = self.method(api, name)
        if method is None:
            raise ValueError(f"runtime API {api}.{name} is not offered by this runtime")
        params: list[Any] = [f"{api}_{name}", self.encode_args(method, args)]
        if at is not None:
            params.append(at)
        return self.decode_output(method, session.request("state_call", params))


def _decode_v15(raw: bytes) -> RuntimeApis:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    config.update_type_registry({"types": _V15_TYPES})
    obj = config.create_scale_object("MetadataV15Prefixed", data=ScaleBytes(raw))
    obj.decode(check_remaining=False)
    metadata = obj.value_object["metadata"].value_object
    config.update_from_scale_info_types(
        metadata["types"].value_object["types"].value_object, prefix="v15"
    )
    methods: dict[tuple[str, str], ApiMethod] = {}
    for api in obj.value["metadata"]["apis"]:
        for m in api["methods"]:
            inputs = tuple((str(i["name"]), int(i["ty"])) for i in m["inputs"])
            methods[(api["name"], m["name"])] = ApiMethod(
                api["name"], m["name"], inputs, int(m["output"])
            )
    return RuntimeApis(methods, config)


def _fetch_v15(session: Session) -> bytes:
    reply = session.request("state_call", ["Metadata_metadata_at_version", "0x0f000000"])
    opt = session.api.runtime_config.create_scale_object("Option<Bytes>", data=ScaleBytes(reply))
    opt.decode()
    if opt.value is None:
        raise ValueError("metadata V15 is not available")
    return bytes.fromhex(str(opt.value).removeprefix("0x"))


def load_runtime_apis(session: Session) -> RuntimeApis | None:
    """The runtime's APIs from metadata V15 (disk/memory cached), or None if it has no V15."""
    versions = session.request("state_call", ["Metadata_metadata_versions", "0x"])
    listed = session.api.runtime_config.create_scale_object("Vec<u32>", data=ScaleBytes(versions))
    listed.decode()
    if 15 not in listed.value:
        return None
    apis: RuntimeApis = session.cache.decoded(
        session.genesis_hash,
        session.spec_version,
        METADATA_V15,
        _decode_v15,
        lambda: _fetch_v15(session),
    )
    return apis
