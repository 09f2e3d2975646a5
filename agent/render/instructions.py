"""XCM programs: the instruction names of each version, and the structural check of a program.

Why: a rendered program is checked before anything is encoded or signed. Every instruction name
must exist in the program's XCM version (``PayFees`` is v5 only; ``Transact`` carries
``require_weight_at_most`` in v3/v4 and ``fallback_max_weight`` in v5), and the instructions a
Transact program needs are checked field by field. Names valid in XCM but outside the checked set
are refused with that reason, rather than passed on unchecked.

The names and field lists were read from the PolkadotXcm type registry of the coretime-paseo
runtime (``xcm::v3::Instruction``, ``staging_xcm::v4::Instruction``, ``staging_xcm::v5::Instruction``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from agent.render.locations import (
    ORIGIN_KINDS,
    asset,
    asset_filter_codec,
    assets_codec,
    interior,
    location,
    weight,
    weight_limit,
)
from agent.render.values import (
    UNIT,
    ShapeError,
    boolean,
    choice,
    describe,
    fields,
    hex_bytes,
    is_unit,
    seq,
    uint,
    variant,
)

SUPPORTED_VERSIONS = (3, 4, 5)

_V3_NAMES = [
    "WithdrawAsset",
    "ReserveAssetDeposited",
    "ReceiveTeleportedAsset",
    "QueryResponse",
    "TransferAsset",
    "TransferReserveAsset",
    "Transact",
    "HrmpNewChannelOpenRequest",
    "HrmpChannelAccepted",
    "HrmpChannelClosing",
    "ClearOrigin",
    "DescendOrigin",
    "ReportError",
    "DepositAsset",
    "DepositReserveAsset",
    "ExchangeAsset",
    "InitiateReserveWithdraw",
    "InitiateTeleport",
    "ReportHolding",
    "BuyExecution",
    "RefundSurplus",
    "SetErrorHandler",
    "SetAppendix",
    "ClearError",
    "ClaimAsset",
    "Trap",
    "SubscribeVersion",
    "UnsubscribeVersion",
    "BurnAsset",
    "ExpectAsset",
    "ExpectOrigin",
    "ExpectError",
    "ExpectTransactStatus",
    "QueryPallet",
    "ExpectPallet",
    "ReportTransactStatus",
    "ClearTransactStatus",
    "UniversalOrigin",
    "ExportMessage",
    "LockAsset",
    "UnlockAsset",
    "NoteUnlockable",
    "RequestUnlock",
    "SetFeesMode",
    "SetTopic",
    "ClearTopic",
    "AliasOrigin",
    "UnpaidExecution",
]
_V5_ONLY = ("PayFees", "InitiateTransfer", "ExecuteWithOrigin", "SetHints")

INSTRUCTIONS: dict[int, frozenset[str]] = {
    3: frozenset(_V3_NAMES),
    4: frozenset(_V3_NAMES),
    5: frozenset(_V3_NAMES) | frozenset(_V5_ONLY),
}
"""Every instruction name of each XCM version, in the runtime's spelling."""

_UNIT_INSTRUCTIONS = frozenset(
    {
        "RefundSurplus",
        "ClearOrigin",
        "ClearError",
        "ClearTopic",
        "ClearTransactStatus",
        "UnsubscribeVersion",
    }
)


class ProgramChecker:
    """Checks one program of one version and returns it in the encoder's shape."""

    def __init__(self, version: int) -> None:
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(f"XCM v{version} is not supported; use 3, 4 or 5")
        self.version = version
        self._checks: dict[str, Callable[[Any, str], Any]] = {
            "WithdrawAsset": self._assets,
            "ReserveAssetDeposited": self._assets,
            "ReceiveTeleportedAsset": self._assets,
            "BurnAsset": self._assets,
            "ExpectAsset": self._assets,
            "BuyExecution": self._buy_execution,
            "PayFees": self._pay_fees,
            "Transact": self._transact,
            "DepositAsset": self._deposit_asset,
            "TransferAsset": self._transfer_asset,
            "DescendOrigin": self._descend_origin,
            "SetTopic": self._set_topic,
            "SetAppendix": self._nested,
            "SetErrorHandler": self._nested,
            "SetFeesMode": self._set_fees_mode,
            "Trap": self._trap,
            "ExpectOrigin": self._expect_origin,
            "AliasOrigin": self._alias_origin,
            "UnpaidExecution": self._unpaid_execution,
        }

    # -- programs --------------------------------------------------------------------------

    def versioned(self, value: Any, path: str = "") -> dict[str, Any]:
        """``{"V<n>": [instruction, ...]}`` -> the same, in the encoder's shape."""
        key = f"V{self.version}"
        name, payload = variant(value, path or "program", f"a versioned program {{'{key}': [...]}}")
        if name != key or is_unit(payload):
            raise ShapeError(
                path or "program", f"expected the key '{key}' (XCM v{self.version}), got '{name}'"
            )
        return {key: self.program(payload, f"{path}{key}")}

    def program(self, value: Any, path: str) -> list[Any]:
        items = seq(value, path, min_len=1)
        return [[self.instruction(item, f"{path}[{i}]") for i, item in enumerate(items)]]

    def instruction(self, value: Any, path: str) -> Any:
        name, payload = variant(value, path, "an instruction")
        if name not in INSTRUCTIONS[self.version]:
            raise ShapeError(path, self._unknown(name))
        at = f"{path}.{name}"
        if name in _UNIT_INSTRUCTIONS:
            if not is_unit(payload):
                raise ShapeError(at, f"{name} takes no value, got {describe(payload)}")
            return name
        check = self._checks.get(name)
        if check is None:
            raise ShapeError(
                path,
                f"'{name}' is an XCM v{self.version} instruction the agent does not check; "
                "templates may use: " + ", ".join(sorted(self.checked_names())),
            )
        if payload is UNIT or (payload is None and name != "ExpectOrigin"):
            raise ShapeError(at, f"{name} needs a value")
        return {name: check(payload, at)}

    def checked_names(self) -> frozenset[str]:
        known = INSTRUCTIONS[self.version]
        return frozenset(n for n in (*self._checks, *_UNIT_INSTRUCTIONS) if n in known)

    def _unknown(self, name: str) -> str:
        versions = [v for v, names in INSTRUCTIONS.items() if name in names]
        if versions:
            only = ", ".join(f"v{v}" for v in versions)
            return f"'{name}' is not an XCM v{self.version} instruction (it exists in {only})"
        close = difflib.get_close_matches(name, sorted(INSTRUCTIONS[self.version]), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown XCM v{self.version} instruction '{name}'{hint}"

    # -- instructions ------------------------------------------------------------------------

    def _assets(self, value: Any, path: str) -> Any:
        return assets_codec(value, path, self.version)

    def _buy_execution(self, value: Any, path: str) -> Any:
        body = fields(value, path, ("fees", "weight_limit"))
        return {
            "fees": asset(body["fees"], f"{path}.fees", self.version),
            "weight_limit": weight_limit(body["weight_limit"], f"{path}.weight_limit"),
        }

    def _pay_fees(self, value: Any, path: str) -> Any:
        body = fields(value, path, ("asset",))
        return {"asset": asset(body["asset"], f"{path}.asset", self.version)}

    def _transact(self, value: Any, path: str) -> Any:
        if self.version >= 5:
            body = fields(value, path, ("origin_kind", "fallback_max_weight", "call"))
            fallback = body["fallback_max_weight"]
            checked = None if fallback is None else weight(fallback, f"{path}.fallback_max_weight")
            limit: tuple[str, Any] = ("fallback_max_weight", checked)
        else:
            body = fields(value, path, ("origin_kind", "require_weight_at_most", "call"))
            at = f"{path}.require_weight_at_most"
            limit = ("require_weight_at_most", weight(body["require_weight_at_most"], at))
        call = fields(body["call"], f"{path}.call", ("encoded",))
        return {
            "origin_kind": choice(body["origin_kind"], f"{path}.origin_kind", ORIGIN_KINDS),
            limit[0]: limit[1],
            "call": {"encoded": hex_bytes(call["encoded"], f"{path}.call.encoded")},
        }

    def _deposit_asset(self, value: Any, path: str) -> Any:
        body = fields(value, path, ("assets", "beneficiary"))
        return {
            "assets": asset_filter_codec(body["assets"], f"{path}.assets", self.version),
            "beneficiary": location(body["beneficiary"], f"{path}.beneficiary", self.version),
        }

    def _transfer_asset(self, value: Any, path: str) -> Any:
        body = fields(value, path, ("assets", "beneficiary"))
        return {
            "assets": assets_codec(body["assets"], f"{path}.assets", self.version),
            "beneficiary": location(body["beneficiary"], f"{path}.beneficiary", self.version),
        }

    def _descend_origin(self, value: Any, path: str) -> Any:
        return interior(value, path, self.version)

    def _set_topic(self, value: Any, path: str) -> Any:
        return hex_bytes(value, path, 32)

    def _nested(self, value: Any, path: str) -> Any:
        items = seq(value, path)
        return [[self.instruction(item, f"{path}[{i}]") for i, item in enumerate(items)]]

    def _set_fees_mode(self, value: Any, path: str) -> Any:
        body = fields(value, path, ("jit_withdraw",))
        return {"jit_withdraw": boolean(body["jit_withdraw"], f"{path}.jit_withdraw")}

    def _trap(self, value: Any, path: str) -> Any:
        return uint(value, path, 64)

    def _expect_origin(self, value: Any, path: str) -> Any:
        return None if value is None else location(value, path, self.version)

    def _alias_origin(self, value: Any, path: str) -> Any:
        return location(value, path, self.version)

    def _unpaid_execution(self, value: Any, path: str) -> Any:
        body = fields(value, path, ("weight_limit", "check_origin"))
        origin = body["check_origin"]
        return {
            "weight_limit": weight_limit(body["weight_limit"], f"{path}.weight_limit"),
            "check_origin": None
            if origin is None
            else location(origin, f"{path}.check_origin", self.version),
        }
