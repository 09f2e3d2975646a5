"""From an auto-renew action to the calls to send: version choice, weight, fee, topic, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.errors import ActionFailed, ChainIncompatible, ChainUnavailable
from agent.model.actions import Action, ActionKind, CallSpec, TargetChain, action_id
from agent.model.chain import BlockUnits, Capabilities
from agent.model.money import PERBILL, Token
from agent.model.network import POLKADOT
from agent.model.outcome import PreflightResult
from agent.model.policy import XcmVersionChoice
from agent.render import XcmRenderer
from agent.runtime.xcm import (
    Weight,
    XcmValues,
    choose_xcm_version,
    compose,
    default_fee,
    encode_parachain_calls,
    topic_for,
    transact_weight,
    write_export,
)
from tests.rendering.cases import SEED_CALL

SEED = bytes.fromhex(SEED_CALL[2:])


def _caps(*versions: int) -> Capabilities:
    return Capabilities(
        spec_name="coretime-polkadot",
        spec_version=2_003_002,
        broker_storage_version=4,
        block_units=BlockUnits.RELAY,
        renewals_storage="PotentialRenewals",
        sale_price_field="end_price",
        has_auto_renew=True,
        has_minimum_credit_purchase=True,
        on_demand_pallet=None,
        on_demand_storage=None,
        xcm_versions=versions,
        runtime_apis=frozenset(),
        broker_calls=frozenset(),
    )


def _action(kind: ActionKind = ActionKind.ENABLE_AUTO_RENEW, pallet: str = "Broker") -> Action:
    args = {"core": 48, "task": 2000, "workload_end_hint": 327885}
    function = "enable_auto_renew"
    if kind is ActionKind.DISABLE_AUTO_RENEW:
        args, function = {"core": 48, "task": 2000}, "disable_auto_renew"
    return Action(
        id=action_id(
            network="polkadot",
            policy="acala",
            para_id=2000,
            kind=kind,
            target={"core": 48},
            window="sale:322845",
        ),
        kind=kind,
        policy="acala",
        para_id=2000,
        network="polkadot",
        window="sale:322845",
        max_cost=0,
        call=CallSpec(TargetChain.CORETIME, pallet, function, args),
        reason="keep auto-renewal enabled",
        signer="acala-sudo",
    )


def _values(version: int = 5) -> XcmValues:
    return XcmValues(
        para_id=2000,
        coretime_para_id=1005,
        version=version,
        fee=10**9,
        weight=Weight(1_101_047_000, 6_196).with_margin(PERBILL // 5),
        topic=topic_for("act_x"),
    )


def _seed_encoder(call: CallSpec) -> bytes:
    """Stands in for the Coretime runtime: the seed's bytes for the seed's call only."""
    assert (call.pallet, call.function, dict(call.args)) == (
        "Broker",
        "enable_auto_renew",
        {"core": 48, "task": 2000, "workload_end_hint": 327885},
    )
    return SEED


@pytest.mark.parametrize(
    ("runtime", "choice", "expected"),
    [
        ((3, 4, 5), XcmVersionChoice.AUTO, 5),
        ((3, 4), XcmVersionChoice.AUTO, 4),
        ((2, 3), XcmVersionChoice.AUTO, 3),
        ((), XcmVersionChoice.AUTO, 4),
        ((3, 4, 5), XcmVersionChoice.V3, 3),
        ((), XcmVersionChoice.V5, 5),
    ],
)
def test_xcm_version_choice(
    runtime: tuple[int, ...], choice: XcmVersionChoice, expected: int
) -> None:
    assert choose_xcm_version(_caps(*runtime), choice) == expected


@pytest.mark.parametrize(
    ("runtime", "choice"), [((3, 4), XcmVersionChoice.V5), ((2,), XcmVersionChoice.AUTO)]
)
def test_xcm_version_the_runtime_cannot_read_is_refused(
    runtime: tuple[int, ...], choice: XcmVersionChoice
) -> None:
    with pytest.raises(ChainIncompatible):
        choose_xcm_version(_caps(*runtime), choice)


@given(ref_time=st.integers(0, 2**62), proof=st.integers(0, 2**62), margin=st.integers(0, PERBILL))
def test_weight_margin_rounds_up_exactly(ref_time: int, proof: int, margin: int) -> None:
    scaled = Weight(ref_time, proof).with_margin(margin)
    for before, after in ((ref_time, scaled.ref_time), (proof, scaled.proof_size)):
        assert after * PERBILL >= before * (PERBILL + margin)
        assert (after - 1) * PERBILL < before * (PERBILL + margin) or after == 0


def test_transact_weight_adds_the_margin_and_refuses_no_estimate() -> None:
    estimate = PreflightResult(
        ok=False,
        weight_ref_time=1_000,
        weight_proof_size=10,
        message="dry run failed: Broker.NoPermission",
    )
    assert transact_weight(estimate, PERBILL // 5) == Weight(1_200, 12)
    with pytest.raises(ActionFailed, match="cannot estimate the weight"):
        transact_weight(PreflightResult(ok=False, message="no node"), PERBILL // 5)


def test_default_fee_has_a_floor_and_follows_the_estimate() -> None:
    dot = Token("DOT", 10)
    assert default_fee(None, dot) == 10**8
    assert default_fee(PreflightResult(ok=True, partial_fee=7_000_000), dot) == 10**8
    assert default_fee(PreflightResult(ok=True, partial_fee=10**8), dot) == 10**9


def test_topic_is_stable_per_action_and_32_bytes() -> None:
    assert topic_for("act_a") == topic_for("act_a") != topic_for("act_b")
    assert len(bytes.fromhex(topic_for("act_a")[2:])) == 32


@pytest.mark.parametrize("version", [3, 4, 5])
def test_compose_puts_the_inner_call_in_the_program_and_wraps_it(version: int) -> None:
    built = compose(_action(), _values(version), XcmRenderer(), _seed_encoder)
    assert built.inner_call == SEED
    transact = built.program.program[f"V{version}"][2]["Transact"]
    assert transact["call"] == {"encoded": SEED_CALL}
    assert built.send == CallSpec(
        TargetChain.PARACHAIN,
        "PolkadotXcm",
        "send",
        {"dest": built.dest.location, "message": built.program.message},
    )
    assert built.sudo == CallSpec(TargetChain.PARACHAIN, "Sudo", "sudo", {"call": built.send})
    assert built.program.program[f"V{version}"][-1] == {"SetTopic": topic_for("act_x")}


def test_offline_compose_renders_an_empty_call() -> None:
    built = compose(_action(), _values(4), XcmRenderer(), None)
    assert built.inner_call is None
    assert built.program.program["V4"][2]["Transact"]["call"] == {"encoded": "0x"}
    assert encode_parachain_calls(built, _seed_encoder).send is None


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (_action(ActionKind.RENEW), "not an auto-renew action"),
        (_action(pallet="Balances"), "expected a Broker call"),
    ],
)
def test_compose_refuses_other_actions(action: Action, message: str) -> None:
    with pytest.raises(ActionFailed, match=message):
        compose(action, _values(), XcmRenderer(), _seed_encoder)


def test_export_writes_hex_json_and_summary(tmp_path: Path) -> None:
    built = compose(_action(), _values(5), XcmRenderer(), _seed_encoder)

    def encode(call: CallSpec) -> bytes:
        return b"\x1f\x00" if call.function == "send" else b"\xff\x00\x1f\x00"

    folder = write_export(built, _action(), POLKADOT, encode, tmp_path / "out")
    action = _action()
    assert (folder / f"{action.id}.call.hex").read_text() == "0x1f00\n"
    record = json.loads((folder / f"{action.id}.json").read_text())
    assert record["inner_call"]["hex"] == SEED_CALL
    assert record["program"] == built.program.program
    assert record["parachain_call"]["sudo_hex"] == "0xff001f00"
    assert record["sibling_account"]["ss58"] == "13cKp89Msu7M2PiaCuuGr1BzAsD5V3vaVbDMs3YtjMZHdGwR"
    summary = (folder / f"{action.id}.md").read_text()
    assert "PolkadotXcm.send(dest, message)" in summary and "0x1f00" in summary
    assert "0.1 DOT" in summary and "Broker.AutoRenewalEnabled for task 2000" in summary
    assert "Transact as SovereignAccount (fallback_max_weight" in summary


def test_export_without_parachain_runtime_says_why(tmp_path: Path) -> None:
    built = compose(_action(), _values(4), XcmRenderer(), _seed_encoder)

    def unreachable(call: CallSpec) -> bytes:
        raise ChainUnavailable("no parachain endpoint answered")

    folder = write_export(built, _action(), POLKADOT, unreachable, tmp_path)
    action = _action()
    assert not (folder / f"{action.id}.call.hex").exists()
    record = json.loads((folder / f"{action.id}.json").read_text())
    assert record["parachain_call"]["not_encoded_because"] == "no parachain endpoint answered"
    assert "not encoded: no parachain endpoint answered" in (folder / f"{action.id}.md").read_text()
