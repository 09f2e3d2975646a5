"""What a runtime offers, read from its metadata and one storage word (protocol.md §8).

Why: Broker and the on-demand pallet changed names, fields and units between releases. The agent
never guesses from the network name: it looks at storage names (`PotentialRenewals` or
`AllowedRenewals`), field names (`end_price` or `price`), the Broker storage version (>= 4 means
sale timing in relay blocks), call names, constants, XCM versions and runtime APIs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from agent.chain.substrate.storage import StorageLayout
from agent.model.chain import BlockUnits, Capabilities

ON_DEMAND_PALLETS = ("OnDemand", "OnDemandAssignmentProvider")
XCM_PALLETS = ("PolkadotXcm", "XcmPallet")


def call_names(layout: StorageLayout, pallet: str) -> frozenset[str]:
    module = layout.metadata.get_metadata_pallet(pallet)
    if module is None or not module.calls:
        return frozenset()
    return frozenset(str(call.name) for call in module.calls)


def _call_arg_type(layout: StorageLayout, pallet: str, call: str, arg: str) -> str | None:
    module = layout.metadata.get_metadata_pallet(pallet)
    for function in (module.calls or []) if module else []:
        if function.name == call:
            for argument in function.args:
                if argument.value["name"] == arg:
                    return f"scale_info::{argument.value['type']}"
    return None


def type_field_names(layout: StorageLayout, type_string: str) -> tuple[str, ...]:
    """Field (or variant) names of a registry type, in encoding order."""
    cls = layout.config.get_decoder_class(type_string)
    mapping: Any = getattr(cls, "type_mapping", None) or ()
    return tuple(str(name) for name, _ in mapping if name is not None)


def _storage_value_type(layout: StorageLayout, pallet: str, name: str) -> str | None:
    module = layout.metadata.get_metadata_pallet(pallet)
    function = module.get_storage_function(name) if module else None
    return str(function.get_value_type_string()) if function else None


def _type_params(layout: StorageLayout, type_string: str) -> tuple[str, ...]:
    cls = layout.config.get_decoder_class(type_string)
    info = getattr(cls, "scale_info_type", None)
    params = info.value.get("params", []) if info is not None else []
    return tuple(str(p.get("name")) for p in params)


def xcm_versions(layout: StorageLayout) -> tuple[int, ...]:
    """Versions in the `VersionedXcm` that the XCM pallet's `send` takes, e.g. (3, 4, 5)."""
    for pallet in XCM_PALLETS:
        type_string = _call_arg_type(layout, pallet, "send", "message")
        if type_string is not None:
            names = type_field_names(layout, type_string)
            found = (re.fullmatch(r"V(\d+)", n) for n in names)
            return tuple(sorted(int(m.group(1)) for m in found if m))
    return ()


def block_units(storage_version: int, relay_typed: bool) -> BlockUnits:
    return BlockUnits.RELAY if storage_version >= 4 or relay_typed else BlockUnits.PARACHAIN


def detect(
    layout: StorageLayout,
    *,
    spec_name: str,
    broker_storage_version: int,
    runtime_apis: frozenset[str],
    relay: StorageLayout | None,
) -> Capabilities:
    """Capabilities of the Coretime runtime (and of the relay's on-demand pallet, if given)."""
    renewals = (
        "PotentialRenewals" if layout.has("Broker", "PotentialRenewals") else "AllowedRenewals"
    )
    sale_type = _storage_value_type(layout, "Broker", "SaleInfo")
    sale_fields = type_field_names(layout, sale_type) if sale_type else ()
    relay_typed = bool(sale_type and "RelayBlockNumber" in _type_params(layout, sale_type))
    broker_calls = call_names(layout, "Broker")
    on_demand_pallet = on_demand_storage = None
    if relay is not None:
        on_demand_pallet = next((p for p in ON_DEMAND_PALLETS if call_names(relay, p)), None)
        if on_demand_pallet is not None:
            on_demand_storage = next(
                (s for s in ("OrderStatus", "QueueStatus") if relay.has(on_demand_pallet, s)), None
            )
    period = layout.constant("Broker", "TimeslicePeriod")
    return Capabilities(
        spec_name=spec_name,
        spec_version=layout.spec_version,
        broker_storage_version=broker_storage_version,
        block_units=block_units(broker_storage_version, relay_typed),
        renewals_storage=renewals,
        sale_price_field="end_price" if "end_price" in sale_fields else "price",
        has_auto_renew="enable_auto_renew" in broker_calls,
        has_minimum_credit_purchase=layout.constant("Broker", "MinimumCreditPurchase") is not None,
        on_demand_pallet=on_demand_pallet,
        on_demand_storage=on_demand_storage,
        xcm_versions=xcm_versions(layout),
        runtime_apis=runtime_apis,
        broker_calls=broker_calls,
        timeslice_period=int(period) if period is not None else 80,
    )


def with_storage_version(caps: Capabilities, version: int) -> Capabilities:
    """The same capabilities with the Broker storage version read at a snapshot's block."""
    if version == caps.broker_storage_version:
        return caps
    relay_typed = caps.block_units is BlockUnits.RELAY and caps.broker_storage_version < 4
    return replace(
        caps, broker_storage_version=version, block_units=block_units(version, relay_typed)
    )
