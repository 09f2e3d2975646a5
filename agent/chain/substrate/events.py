"""Events of one extrinsic, decoded by name, and what they say: failure, money spent, fee paid.

Why: an extrinsic can be "successful" while the action failed: `Proxy.proxy` reports the inner
dispatch in `Proxy.ProxyExecuted{result: Err(..)}` (a call the proxy type forbids shows up there
as `System.CallFiltered`), and Sudo in `Sudid`. Errors are resolved to `pallet.Name` through the
metadata, never by index; accounts in event attributes are turned into 0x ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agent.chain.substrate import values
from agent.chain.substrate.registry import KEEP, type_info, walk
from agent.model.outcome import ChainEvent, ModuleError

_ACCOUNT_PATH = ["sp_core", "crypto", "AccountId32"]

INNER_RESULTS: Mapping[tuple[str, str], str] = {
    ("Proxy", "ProxyExecuted"): "result",
    ("Sudo", "Sudid"): "sudo_result",
    ("Sudo", "SudoAsDone"): "sudo_result",
    ("Utility", "DispatchedAs"): "result",
    ("Utility", "BatchInterrupted"): "error",
}
"""Events that carry the outcome of an inner dispatch, and the attribute that holds it."""

SPENT: Mapping[tuple[str, str], str] = {
    ("Broker", "Purchased"): "price",
    ("Broker", "Renewed"): "price",
    ("OnDemand", "OnDemandOrderPlaced"): "spot_price",
    ("OnDemandAssignmentProvider", "OnDemandOrderPlaced"): "spot_price",
}
"""Events whose attribute is the price the action paid."""


class EventDecoder:
    """Turns scalecodec event records into `ChainEvent`s with 0x accounts, and errors into names."""

    def __init__(self, metadata: Any, config: Any) -> None:
        self.metadata = metadata
        self.config = config

    @staticmethod
    def _account(info: Mapping[str, Any], value: Any) -> Any:
        return values.account(value) if info.get("path") == _ACCOUNT_PATH else KEEP

    def _event_fields(self, pallet: str, name: str) -> dict[str, int]:
        module = self.metadata.get_metadata_pallet(pallet)
        event = module.value.get("event") if module is not None else None
        if not event:
            return {}
        definition = type_info(self.config, int(event["ty"])).get("def", {})
        for variant in definition.get("variant", {}).get("variants", []):
            if variant["name"] == name:
                return {f["name"]: f["type"] for f in variant["fields"] if f["name"]}
        return {}

    def event(self, record: Mapping[str, Any]) -> ChainEvent:
        event = record["event"]
        pallet, name = str(event["module_id"]), str(event["event_id"])
        attributes = event.get("attributes") or {}
        if isinstance(attributes, Mapping):
            fields = self._event_fields(pallet, name)
            attributes = {
                k: walk(self.config, fields[k], v, self._account) if k in fields else v
                for k, v in attributes.items()
            }
        else:
            attributes = {"values": attributes}
        return ChainEvent(pallet=pallet, name=name, attributes=attributes)

    def of_extrinsic(
        self, records: Sequence[Mapping[str, Any]], index: int
    ) -> tuple[ChainEvent, ...]:
        return tuple(self.event(r) for r in records if r.get("extrinsic_idx") == index)

    def error(self, dispatch_error: Any) -> ModuleError:
        """`pallet.Name` of a DispatchError (Module errors via metadata; others by their kind)."""
        if isinstance(dispatch_error, Mapping) and "Module" in dispatch_error:
            module = dispatch_error["Module"]
            index = int(module["index"])
            raw = module["error"]
            error_index = bytes.fromhex(raw[2:])[0] if isinstance(raw, str) else int(raw)
            pallet = self.metadata.get_pallet_by_index(index)
            found = self.metadata.get_module_error(index, error_index)
            name = str(found.name) if found is not None else f"Error{error_index}"
            docs = " ".join(found.docs).strip() if found is not None else ""
            return ModuleError(pallet=str(pallet.name), name=name, docs=docs)
        if isinstance(dispatch_error, Mapping) and len(dispatch_error) == 1:
            kind, detail = next(iter(dispatch_error.items()))
            return ModuleError(pallet=str(kind), name=str(detail))
        return ModuleError(pallet="DispatchError", name=str(dispatch_error))


def failure(events: Sequence[ChainEvent], decoder: EventDecoder) -> ModuleError | None:
    """The error that made the action fail: the extrinsic's own, else an inner dispatch's."""
    for e in events:
        if (e.pallet, e.name) == ("System", "ExtrinsicFailed"):
            return decoder.error(e.attributes.get("dispatch_error"))
    for e in events:
        attribute = INNER_RESULTS.get((e.pallet, e.name))
        if attribute is None:
            continue
        result = e.attributes.get(attribute)
        if attribute == "error":
            return decoder.error(result)
        if isinstance(result, Mapping) and "Err" in result:
            return decoder.error(result["Err"])
    return None


def spent(events: Sequence[ChainEvent], payer: str | None) -> int:
    """Planck the action paid: purchase/renewal/order prices, else plain transfers by the payer."""
    prices = [
        int(e.attributes[SPENT[(e.pallet, e.name)]]) for e in events if (e.pallet, e.name) in SPENT
    ]
    if prices:
        return sum(prices)
    return sum(
        int(e.attributes.get("amount", 0))
        for e in events
        if (e.pallet, e.name) == ("Balances", "Transfer")
        and payer is not None
        and str(e.attributes.get("from", "")).lower() == payer.lower()
    )


def fee(events: Sequence[ChainEvent]) -> int:
    return sum(
        int(e.attributes.get("actual_fee", 0))
        for e in events
        if (e.pallet, e.name) == ("TransactionPayment", "TransactionFeePaid")
    )
