"""The structural check of rendered XCM: tables of good and bad values, and properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.render import XcmRenderer
from agent.render.instructions import INSTRUCTIONS, ProgramChecker
from agent.render.values import ShapeError
from tests.rendering.cases import program_variables

HERE = {"parents": 1, "interior": "Here"}
ASSET4 = {"id": HERE, "fun": {"Fungible": 5}}


def _check(version: int, instructions: list[Any]) -> Any:
    return ProgramChecker(version).versioned({f"V{version}": instructions})


@pytest.mark.parametrize(
    ("version", "instruction", "path", "message"),
    [
        (
            4,
            {"WithdrawAsset": [{"id": {"Concrete": HERE}, "fun": {"Fungible": 1}}]},
            "V4[0].WithdrawAsset[0].id.Concrete",
            "unknown field",
        ),
        (3, {"WithdrawAsset": [ASSET4]}, "V3[0].WithdrawAsset[0].id", "Concrete"),
        (
            4,
            {"WithdrawAsset": [{"id": HERE, "fun": {"Fungible": -1}}]},
            "V4[0].WithdrawAsset[0].fun.Fungible",
            "does not fit in a u128",
        ),
        (
            4,
            {"WithdrawAsset": [{"id": HERE, "fun": {"Fungible": 2**128}}]},
            "V4[0].WithdrawAsset[0].fun.Fungible",
            "does not fit in a u128",
        ),
        (
            4,
            {"WithdrawAsset": [{"id": HERE, "fun": {"Fungible": True}}]},
            "V4[0].WithdrawAsset[0].fun.Fungible",
            "got a boolean",
        ),
        (4, {"BuyExecution": {"fees": ASSET4}}, "V4[0].BuyExecution.weight_limit", "missing field"),
        (
            4,
            {"BuyExecution": {"fees": ASSET4, "weight_limit": "Limited"}},
            "V4[0].BuyExecution.weight_limit",
            "expected 'Unlimited'",
        ),
        (
            4,
            {
                "DepositAsset": {
                    "assets": {"Wild": {"AllCounted": 1}},
                    "beneficiary": {"parents": 1, "interior": {"X1": {"Parachain": 1}}},
                }
            },
            "V4[0].DepositAsset.beneficiary.interior.X1",
            "expected a list",
        ),
        (
            3,
            {
                "DepositAsset": {
                    "assets": {"Wild": {"AllCounted": 1}},
                    "beneficiary": {"parents": 1, "interior": {"X2": [{"Parachain": 1}]}},
                }
            },
            "V3[0].DepositAsset.beneficiary.interior.X2",
            "at least 2",
        ),
        (
            5,
            {
                "DepositAsset": {
                    "assets": {"Wild": {"AllCounted": 1}},
                    "beneficiary": {"parents": 256, "interior": "Here"},
                }
            },
            "V5[0].DepositAsset.beneficiary.parents",
            "does not fit in a u8",
        ),
        (
            5,
            {"DepositAsset": {"assets": {"Wild": "Some"}, "beneficiary": HERE}},
            "V5[0].DepositAsset.assets.Wild",
            "unknown wild filter",
        ),
        (
            5,
            {
                "DepositAsset": {
                    "assets": {"Wild": {"AllCounted": 1}},
                    "beneficiary": {"parents": 0, "interior": {"X1": [{"Plurality": {}}]}},
                }
            },
            "V5[0].DepositAsset.beneficiary.interior.X1[0]",
            "unsupported junction",
        ),
        (
            5,
            {
                "Transact": {
                    "origin_kind": "Xcm",
                    "fallback_max_weight": {"ref_time": 2**64, "proof_size": 0},
                    "call": {"encoded": "0x00"},
                }
            },
            "V5[0].Transact.fallback_max_weight.ref_time",
            "does not fit in a u64",
        ),
        (
            3,
            {
                "Transact": {
                    "origin_kind": "Xcm",
                    "fallback_max_weight": None,
                    "call": {"encoded": "0x00"},
                }
            },
            "V3[0].Transact.fallback_max_weight",
            "unknown field",
        ),
        (4, {"RefundSurplus": 1}, "V4[0].RefundSurplus", "takes no value"),
        (4, {"SetAppendix": [{"Trap": "x"}]}, "V4[0].SetAppendix[0].Trap", "expected an integer"),
        (4, ["RefundSurplus"], "V4[0]", "expected an instruction"),
        (4, {"Transact": None}, "V4[0].Transact", "needs a value"),
        (
            4,
            {
                "DescendOrigin": {
                    "X1": [{"AccountId32": {"network": "Mars", "id": "0x" + "00" * 32}}]
                }
            },
            "V4[0].DescendOrigin.X1[0].AccountId32.network",
            "unknown network id",
        ),
    ],
)
def test_bad_instructions_name_the_path(
    version: int, instruction: Any, path: str, message: str
) -> None:
    with pytest.raises(ShapeError) as err:
        _check(version, [instruction])
    assert err.value.path == path
    assert message in err.value.message


def test_codec_shape_wraps_single_field_tuples() -> None:
    """Assets and nested programs get one extra list, which substrate-interface encodes."""
    out = _check(
        4,
        [
            {"WithdrawAsset": [ASSET4]},
            {
                "SetAppendix": [
                    "RefundSurplus",
                    {"TransferAsset": {"assets": [ASSET4], "beneficiary": HERE}},
                ]
            },
            {"DepositAsset": {"assets": {"Definite": [ASSET4]}, "beneficiary": HERE}},
            {"ExpectOrigin": None},
            {"RefundSurplus": None},
        ],
    )
    assert out == {
        "V4": [
            [
                {"WithdrawAsset": [[ASSET4]]},
                {
                    "SetAppendix": [
                        [
                            "RefundSurplus",
                            {"TransferAsset": {"assets": [[ASSET4]], "beneficiary": HERE}},
                        ]
                    ]
                },
                {"DepositAsset": {"assets": {"Definite": [[ASSET4]]}, "beneficiary": HERE}},
                {"ExpectOrigin": None},
                "RefundSurplus",
            ]
        ]
    }


def test_instruction_tables() -> None:
    assert len(INSTRUCTIONS[3]) == 48
    assert INSTRUCTIONS[4] == INSTRUCTIONS[3]
    assert INSTRUCTIONS[5] - INSTRUCTIONS[4] == {
        "PayFees",
        "InitiateTransfer",
        "ExecuteWithOrigin",
        "SetHints",
    }


u64 = st.integers(min_value=0, max_value=2**64 - 1)


@given(
    version=st.sampled_from([3, 4, 5]),
    fee=st.integers(min_value=0, max_value=2**128 - 1),
    ref_time=u64,
    proof_size=u64,
    para_id=st.integers(min_value=0, max_value=2**32 - 1),
    call=st.binary(max_size=64),
)
def test_any_valid_values_render_exactly(
    version: int, fee: int, ref_time: int, proof_size: int, para_id: int, call: bytes
) -> None:
    rendered = XcmRenderer().program(
        "sovereign-transact",
        version,
        program_variables(
            fee=fee,
            para_id=para_id,
            call="0x" + call.hex(),
            weight={"ref_time": ref_time, "proof_size": proof_size},
        ),
    )
    instructions = rendered.program[f"V{version}"]
    assert instructions[0]["WithdrawAsset"][0]["fun"] == {"Fungible": fee}
    limit = "fallback_max_weight" if version == 5 else "require_weight_at_most"
    assert instructions[2]["Transact"][limit] == {"ref_time": ref_time, "proof_size": proof_size}
    assert instructions[2]["Transact"]["call"]["encoded"] == "0x" + call.hex()
    beneficiary = instructions[4]["DepositAsset"]["beneficiary"]["interior"]["X1"]
    assert (beneficiary if version == 3 else beneficiary[0]) == {"Parachain": para_id}


@given(
    fee=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
        st.booleans(),
        st.integers(max_value=-1),
        st.integers(min_value=2**128),
    )
)
def test_any_non_amount_fee_is_refused(fee: Any) -> None:
    from agent.errors import RenderError

    with pytest.raises(RenderError, match=r"WithdrawAsset\[0\]\.fun\.Fungible"):
        XcmRenderer().program("sovereign-transact", 4, program_variables(fee=fee))
