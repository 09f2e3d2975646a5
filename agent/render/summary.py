"""A rendered XCM program in plain words, for governance proposals and `render` output.

Why: a person approving a proposal (or reading the agent's export) should see what the message
will do on the Coretime chain without decoding JSON: what it withdraws, which call it runs as
whom, and where the change goes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agent.model.money import Token, format_amount


def location_text(loc: Any) -> str:
    """``(1, [Parachain(2000)])`` for a location in any version's written form."""
    if not isinstance(loc, Mapping) or "parents" not in loc:
        return json.dumps(loc)
    inner = loc.get("interior")
    if inner == "Here":
        return f"({loc['parents']}, Here)"
    junctions: list[Any] = []
    if isinstance(inner, Mapping) and len(inner) == 1:
        ((_, value),) = inner.items()
        junctions = list(value) if isinstance(value, list) else [value]
    parts = []
    for j in junctions:
        if isinstance(j, Mapping) and len(j) == 1:
            ((name, value),) = j.items()
            parts.append(f"{name}({json.dumps(value) if isinstance(value, Mapping) else value})")
        else:
            parts.append(str(j))
    return f"({loc['parents']}, [{', '.join(parts)}])"


def _amount(asset: Any, token: Token | None) -> str:
    if not isinstance(asset, Mapping):
        return json.dumps(asset)
    fun, asset_id = asset.get("fun"), asset.get("id")
    if isinstance(asset_id, Mapping) and "Concrete" in asset_id:
        asset_id = asset_id["Concrete"]
    where = location_text(asset_id)
    if isinstance(fun, Mapping) and isinstance(fun.get("Fungible"), int):
        planck = fun["Fungible"]
        if token is not None and where == "(1, Here)":
            return f"{format_amount(planck, token)} ({planck} planck of the relay token)"
        return f"{planck} of {where}"
    return json.dumps(asset)


def _weight(w: Any) -> str:
    if isinstance(w, Mapping):
        return f"ref_time {w.get('ref_time')}, proof_size {w.get('proof_size')}"
    return "none"


def instruction_text(ins: Any, token: Token | None = None) -> str:
    """One instruction as a line of text; unfamiliar ones fall back to their JSON."""
    if isinstance(ins, str):
        return ins
    if not isinstance(ins, Mapping) or len(ins) != 1:
        return json.dumps(ins)
    ((name, body),) = ins.items()
    if name in ("WithdrawAsset", "BurnAsset", "ExpectAsset", "ReserveAssetDeposited"):
        return f"{name}: " + ", ".join(_amount(a, token) for a in body)
    if name == "BuyExecution":
        return (
            f"BuyExecution: pay with {_amount(body['fees'], token)}, limit {body['weight_limit']}"
        )
    if name == "PayFees":
        return f"PayFees: pay with {_amount(body['asset'], token)}"
    if name == "Transact":
        limit = body.get("require_weight_at_most", body.get("fallback_max_weight"))
        label = (
            "require_weight_at_most" if "require_weight_at_most" in body else "fallback_max_weight"
        )
        return (
            f"Transact as {body['origin_kind']} ({label}: {_weight(limit)}): "
            f"call {body['call']['encoded']}"
        )
    if name == "DepositAsset":
        return f"DepositAsset: {json.dumps(body['assets'])} to {location_text(body['beneficiary'])}"
    if name == "SetTopic":
        return f"SetTopic: {body}"
    return f"{name}: {json.dumps(body)}"


def program_lines(program: Mapping[str, Any], token: Token | None = None) -> list[str]:
    """Numbered lines, one per instruction of a ``{"V<n>": [...]}`` program."""
    ((_, instructions),) = program.items()
    return [f"{i}. {instruction_text(ins, token)}" for i, ins in enumerate(instructions, 1)]


def proposal_text(record: Mapping[str, Any], token: Token) -> str:
    """The summary written next to an export: what to propose, what it does, how to check it.

    `record` is the exported JSON (see `agent.runtime.xcm.export_record`), so the summary can
    never say something the data does not.
    """
    action, inner, call = record["action"], record["inner_call"], record["parachain_call"]
    para, version = action["para_id"], record["xcm_version"]
    sibling = record["sibling_account"]
    args = ", ".join(f"{k}={v}" for k, v in inner["args"].items())
    verb = "Enable" if record["confirm_event"] == "AutoRenewalEnabled" else "Disable"
    send = call["hex"] or f"(not encoded: {call['not_encoded_because']})"
    dest = location_text(record["dest"][f"V{version}"])
    lines = [
        f"# {verb} Broker auto-renewal for para {para} on {action['network']}",
        "",
        f"Action {action['id']} ({action['policy']}): {action['reason']}",
        "",
        "## Proposal",
        f"Dispatch on parachain {para} with Root origin (governance, or sudo):",
        "",
        "    PolkadotXcm.send(dest, message)",
        f"    call data: {send}",
        "",
        "## What it does",
        f"The XCM v{version} message goes to {dest} (the Coretime chain, para "
        f"{record['coretime_para_id']}), arrives from (1, [Parachain({para})]) and acts as the "
        f"para's sibling account {sibling['ss58']} ({sibling['hex']}). That account pays up to "
        f"{format_amount(record['fee_planck'], token)} in fees (the surplus is refunded to it) "
        "and must also hold the renewal price when the auto-renewal fires.",
        "",
        *program_lines(record["program"], token),
        "",
        f"Inner call: {inner['pallet']}.{inner['function']}({args}) = "
        f"{inner['hex'] or '(not encoded)'}",
        "",
        "## Check",
        f"On the Coretime chain: {inner['pallet']}.{record['confirm_event']} for task {para}, "
        f"and MessageQueue.Processed with id {record['topic']} and success true.",
    ]
    return "\n".join(lines) + "\n"
