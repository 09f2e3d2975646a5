"""The rendered auto-renew XCM against the real Coretime runtime (chopsticks, docs/devnet.md).

Encoding goes through the agent's own chain port (`SubstrateChain.encode`, by metadata name).
The devnet runtime stands in for the parachain too: it has `PolkadotXcm.send` and `Sudo`, so the
parachain calls are encoded against a real XCM pallet (a real para's indices would differ).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from scalecodec.base import ScaleBytes

from agent.chain.addresses import to_account_id
from agent.chain.substrate import SubstrateChain
from agent.model.accounts import sibling_account
from agent.model.actions import Action, ActionKind, CallSpec, TargetChain, action_id
from agent.model.network import PASEO, NetworkRegistry
from agent.model.outcome import OutcomeStatus
from agent.model.policy import LoadedPolicy
from agent.model.port import SignerSpec
from agent.policy import load_policies
from agent.render import INSTRUCTIONS, XcmRenderer
from agent.runtime.xcm import (
    AutoRenewXcm,
    Weight,
    XcmValues,
    compose,
    execute_auto_renew,
    parachain_encoder,
    topic_for,
)
from tests.rendering.cases import SEED_CALL
from tests.support.devnet import PAS, Devnet

pytestmark = pytest.mark.chain

PARA = 2000
SIBLING = sibling_account(PARA)


@pytest.fixture
def port(devnet: Devnet) -> Iterator[SubstrateChain]:
    chain = SubstrateChain(PASEO, [devnet.url], timeout=30.0, attempts=1)
    yield chain
    chain.close()


def _action(core: int, hint: int | None) -> Action:
    kind = ActionKind.ENABLE_AUTO_RENEW
    return Action(
        id=action_id(
            network="paseo",
            policy="devnet",
            para_id=PARA,
            kind=kind,
            target={"core": core},
            window=f"hint:{hint}",
        ),
        kind=kind,
        policy="devnet",
        para_id=PARA,
        network="paseo",
        window=f"hint:{hint}",
        max_cost=0,
        call=CallSpec(
            TargetChain.CORETIME,
            "Broker",
            "enable_auto_renew",
            {"core": core, "task": PARA, "workload_end_hint": hint},
        ),
        reason="devnet",
        signer="para-sudo",
    )


def _build(port: SubstrateChain, action: Action, version: int) -> AutoRenewXcm:
    values = XcmValues(
        para_id=PARA,
        coretime_para_id=1005,
        version=version,
        fee=PAS,
        weight=Weight(2_000_000_000, 20_000),
        topic=topic_for(action.id),
    )
    return compose(action, values, XcmRenderer(), port.encode)


def _decode_call(devnet: Devnet, data: bytes) -> Any:
    devnet.api.init_runtime()
    obj = devnet.api.runtime_config.create_scale_object(
        "Call", data=ScaleBytes(data), metadata=devnet.api.metadata
    )
    obj.decode()
    return obj


def _versioned_xcm_bytes(devnet: Devnet, message: Any) -> bytes:
    """SCALE of a `VersionedXcm`, typed by PolkadotXcm.send's `message` argument."""
    devnet.api.init_runtime()
    function = devnet.api.get_metadata_call_function("PolkadotXcm", "send")
    type_id = next(int(a.value["type"]) for a in function.args if a.value["name"] == "message")
    obj = devnet.api.runtime_config.create_scale_object(
        f"scale_info::{type_id}", metadata=devnet.api.metadata
    )
    return bytes(obj.encode(message).data)


def _renewable_core(devnet: Devnet) -> tuple[int, int]:
    """Sale, purchase by Bob, assign Final to the para: its PotentialRenewal (core, when)."""
    from substrateinterface import Keypair

    devnet.configure_broker()
    devnet.start_sales(end_price=100 * PAS, extra_cores=4)
    devnet.new_block(relay_number=devnet.sale_info()["sale_start"] + 10)
    bob = Keypair.create_from_uri("//Bob")
    bought = devnet.submit(devnet.call("Broker", "purchase", {"price_limit": 1000 * PAS}), bob)
    region = _event(bought.triggered_events, "Broker", "Purchased")["region_id"]
    assigned = devnet.submit(
        devnet.call("Broker", "assign", {"region_id": region, "task": PARA, "finality": "Final"}),
        bob,
    )
    assert assigned.is_success, assigned.error_message
    ((key, _),) = devnet.api.query_map("Broker", "PotentialRenewals").records
    devnet.fund(SIBLING, 10_000 * PAS)
    return int(key.value["core"]), int(key.value["when"])


def _event(records: Any, pallet: str, name: str) -> Any:
    found = _events(records, pallet, name)
    assert found, f"no {pallet}.{name} among {[_name(r) for r in records]}"
    return found[0]


def _events(records: Any, pallet: str, name: str) -> list[Any]:
    return [r.value["event"]["attributes"] for r in records if _name(r) == (pallet, name)]


def _name(record: Any) -> tuple[str, str]:
    return record.value["event"]["module_id"], record.value["event"]["event_id"]


def _auto_renewals(devnet: Devnet) -> list[dict[str, int]]:
    return [dict(r) for r in devnet.api.query("Broker", "AutoRenewals").value]


# -- encoding ---------------------------------------------------------------------------------


def test_seed_call_and_every_version_encode_against_the_runtime(
    devnet: Devnet, port: SubstrateChain
) -> None:
    action = _action(48, 327885)
    for version in (3, 4, 5):
        built = _build(port, action, version)
        assert built.inner_call is not None
        assert (
            "0x" + built.inner_call.hex()
            == SEED_CALL
            == (built.program.program[f"V{version}"][2]["Transact"]["call"]["encoded"])
        )
        encode = parachain_encoder(port, port)
        send, sudo = encode(built.send), encode(built.sudo)
        decoded = _decode_call(devnet, send).value
        assert (decoded["call_module"], decoded["call_function"]) == ("PolkadotXcm", "send")
        args = {a["name"]: a["value"] for a in decoded["call_args"]}
        assert args["message"] == built.program.program  # the chain reads what we rendered
        assert args["dest"] == built.dest.location
        wrapped = _decode_call(devnet, sudo).value
        assert (wrapped["call_module"], wrapped["call_function"]) == ("Sudo", "sudo")
        assert wrapped["call_args"][0]["value"]["call_module"] == "PolkadotXcm"


def test_instruction_tables_match_the_runtime(devnet: Devnet) -> None:
    devnet.api.init_runtime()
    found: dict[int, set[str]] = {}
    for entry in devnet.api.metadata.portable_registry["types"]:
        ty = entry.value["type"]
        path = "::".join(ty.get("path", []))
        for version in (3, 4, 5):
            if path.endswith(f"v{version}::Instruction") and "variant" in ty["def"]:
                found[version] = {v["name"] for v in ty["def"]["variant"]["variants"]}
    assert found == {v: set(INSTRUCTIONS[v]) for v in (3, 4, 5)}


# -- dispatch from the sibling account ----------------------------------------------------------


def test_enable_fail_reenable_renew_cycle(devnet: Devnet, port: SubstrateChain) -> None:
    core, when = _renewable_core(devnet)
    built = _build(port, _action(core, when), 5)
    assert built.inner_call is not None
    inner = _decode_call(devnet, built.inner_call)

    enabled = devnet.sudo_as(SIBLING, inner)
    assert _event(enabled.triggered_events, "Broker", "AutoRenewalEnabled") == {
        "core": core,
        "task": PARA,
    }
    assert _auto_renewals(devnet) == [{"core": core, "task": PARA, "next_renewal": when}]

    devnet.set_storage(
        {"System": {"Account": [[[SIBLING], {"providers": 1, "data": {"free": "0"}}]]}}
    )
    rotation = devnet.rotate_sale()
    failed = [e for e in rotation if e[:2] == ("Broker", "AutoRenewalFailed")]
    assert failed and failed[0][2]["core"] == core
    assert _auto_renewals(devnet) == []

    devnet.fund(SIBLING, 10_000 * PAS)
    again = devnet.sudo_as(SIBLING, inner)  # the same rendered call
    assert _event(again.triggered_events, "Broker", "AutoRenewalEnabled")["task"] == PARA
    renewed_now = _events(again.triggered_events, "Broker", "Renewed")
    assert renewed_now, "renewable in this sale: enabling renews at once from the sibling account"
    # the record keeps the hint as next_renewal and follows the core the renewal landed on
    assert _auto_renewals(devnet) == [
        {"core": renewed_now[0]["core"], "task": PARA, "next_renewal": when}
    ]
    next_begin = devnet.sale_info()["region_end"]

    later = devnet.rotate_sale()
    renewed = [e[2] for e in later if e[:2] == ("Broker", "Renewed")]
    assert renewed, f"no Renewed at the next rotation: {[e[:2] for e in later]}"
    assert renewed[0]["begin"] == next_begin
    assert to_account_id(renewed[0]["who"]) == SIBLING
    assert not [e for e in later if e[:2] == ("Broker", "AutoRenewalFailed")]
    assert devnet.free_balance(SIBLING) < 10_000 * PAS


def test_real_xcm_path_from_an_inbound_hrmp_message(devnet: Devnet, port: SubstrateChain) -> None:
    """The Coretime runtime's own XCM executor runs the program with the para's origin."""
    core, when = _renewable_core(devnet)
    ready = devnet.head()
    for version in (3, 4, 5):
        devnet.reset_to(ready)
        built = _build(port, _action(core, when), version)
        before = devnet.free_balance(SIBLING)
        # XCMP page: format byte ConcatenatedVersionedXcm (0), then the SCALE VersionedXcm
        data = b"\x00" + _versioned_xcm_bytes(devnet, built.program.message)
        head = devnet.rpc(
            "dev_newBlock",
            [{"hrmp": {str(PARA): [{"sentAt": devnet.relay_number(), "data": "0x" + data.hex()}]}}],
        )
        events = devnet.events(head)
        processed = [e[2] for e in events if e[:2] == ("MessageQueue", "Processed")]
        assert processed, f"v{version}: message not processed: {[e[:2] for e in events]}"
        assert processed[0]["origin"] == {"Sibling": PARA}
        assert processed[0]["success"] is True
        assert processed[0]["id"] == built.values.topic
        assert ("Broker", "AutoRenewalEnabled", {"core": core, "task": PARA}) in events
        assert _auto_renewals(devnet) == [{"core": core, "task": PARA, "next_renewal": when}]
        paid = before - devnet.free_balance(SIBLING)
        assert 0 < paid < PAS, f"v{version}: fee {paid} (withdrew {PAS}, surplus refunded)"


# -- the runtime entry point ----------------------------------------------------------------------


def _policy(tmp_path: Path, submit: str) -> LoadedPolicy:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: coretime-agent/v1\nkind: CoretimePolicy\nmetadata: {name: devnet-para}\n"
        f"spec:\n  network: paseo\n  paraId: {PARA}\n  signer: para-sudo\n"
        f"  autoRenew: {{manage: true, submit: {submit}, weightMargin: 25%}}\n"
    )
    (policy,) = load_policies([tmp_path / "p.yaml"], NetworkRegistry()).policies
    return policy


def test_export_path_end_to_end(devnet: Devnet, port: SubstrateChain, tmp_path: Path) -> None:
    action = _action(48, 327885)
    signer = SignerSpec("para-sudo", SecretStr("//Alice"))
    outcome = execute_auto_renew(
        action,
        _policy(tmp_path, "export"),
        port,
        signer,
        export_dir=tmp_path / "out",
        parachain=port,
    )
    assert outcome.status is OutcomeStatus.EXPORTED
    record = json.loads((tmp_path / "out" / f"{action.id}.json").read_text())
    assert record["inner_call"]["hex"] == SEED_CALL
    assert record["xcm_version"] == 5  # the highest this runtime and the templates share
    estimate = port.preflight(action.call, signer)
    assert record["weight"]["ref_time"] == -(-estimate.weight_ref_time * 125 // 100)
    send_hex = (tmp_path / "out" / f"{action.id}.call.hex").read_text().strip()
    assert send_hex == record["parachain_call"]["hex"]
    decoded = _decode_call(devnet, bytes.fromhex(send_hex[2:])).value
    assert {a["name"]: a["value"] for a in decoded["call_args"]}["message"] == record["program"]


def test_export_without_parachain_port_records_why(
    devnet: Devnet, port: SubstrateChain, tmp_path: Path
) -> None:
    action = _action(48, 327885)
    execute_auto_renew(
        action,
        _policy(tmp_path, "export"),
        port,
        SignerSpec("para-sudo", SecretStr("//Alice")),
        export_dir=tmp_path,
    )
    record = json.loads((tmp_path / f"{action.id}.json").read_text())
    assert record["parachain_call"]["hex"] is None
    assert "parachain" in record["parachain_call"]["not_encoded_because"]


def test_sudo_path_sends_the_program(devnet: Devnet, port: SubstrateChain, tmp_path: Path) -> None:
    """`sudo`: Sudo.sudo(PolkadotXcm.send(...)) is signed with the para's sudo key and sent.

    The devnet plays the parachain (it has Sudo, key //Alice, and PolkadotXcm); the message goes
    to sibling 2000, whose HRMP channel chopsticks opens once a message from 2000 was injected.
    """
    devnet.rpc(
        "dev_newBlock", [{"hrmp": {str(PARA): [{"sentAt": devnet.relay_number(), "data": "0x00"}]}}]
    )
    policy = _policy(tmp_path, "sudo")
    policy = replace(policy, network=replace(policy.network, coretime_para_id=PARA))
    action = _action(48, 327885)
    outcome = execute_auto_renew(
        action, policy, port, SignerSpec("para-sudo", SecretStr("//Alice")), parachain=port
    )
    assert outcome.status is OutcomeStatus.INCLUDED, outcome.message
    sent = [e for e in outcome.events if (e.pallet, e.name) == ("PolkadotXcm", "Sent")]
    assert sent, [(e.pallet, e.name) for e in outcome.events]
    assert sent[0].attributes["message_id"] == topic_for(action.id)
    transact = sent[0].attributes["message"][2]["Transact"]
    assert transact["call"] == {"encoded": SEED_CALL}
    assert transact["fallback_max_weight"]["ref_time"] > 1_000_000_000
