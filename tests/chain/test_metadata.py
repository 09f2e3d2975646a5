"""Calls are encoded by name through the runtime's metadata, and capabilities read from it."""

from __future__ import annotations

import pytest

from agent.chain.substrate import SubstrateChain
from agent.errors import ChainIncompatible
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import BlockUnits
from tests.chain.conftest import broker

pytestmark = pytest.mark.chain

CORE_MASK = (1 << 80) - 1


def test_enable_auto_renew_encodes_to_the_documented_bytes(chain: SubstrateChain) -> None:
    call = broker("enable_auto_renew", core=48, task=2000, workload_end_hint=327885)
    assert chain.encode(call) == bytes.fromhex("32153000d007000001cd000500")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            broker("purchase", price_limit=5 * 10**12),
            "3205" + (5 * 10**12).to_bytes(16, "little").hex(),
        ),
        (broker("renew", core=3), "32060300"),
        (broker("disable_auto_renew", core=1, task=2001), "32160100d1070000"),
        (
            broker("enable_auto_renew", core=1, task=2001, workload_end_hint=None),
            "32150100d107000000",
        ),
    ],
)
def test_broker_calls_encode_by_name(chain: SubstrateChain, call: CallSpec, expected: str) -> None:
    assert chain.encode(call).hex() == expected


def test_core_mask_may_be_an_int_or_hex(chain: SubstrateChain) -> None:
    region = {"begin": 15, "core": 2, "mask": CORE_MASK}
    as_int = chain.encode(broker("assign", region_id=region, task=2000, finality="Final"))
    as_hex = chain.encode(
        broker(
            "assign", region_id={**region, "mask": "0x" + "ff" * 10}, task=2000, finality="Final"
        )
    )
    assert as_int == as_hex
    # 0x32 0x0a, begin u32, core u16, 10 mask bytes, task u32, Final = 1
    assert as_int.hex() == "320a" + "0f000000" + "0200" + "ff" * 10 + "d0070000" + "01"


def test_a_byte_0_mask_is_the_most_significant_bits(chain: SubstrateChain) -> None:
    region = {"begin": 15, "core": 0, "mask": 0xFF << 72}  # first 8 bits of the core
    encoded = chain.encode(broker("assign", region_id=region, task=1, finality="Final"))
    assert encoded[2 + 4 + 2 : 2 + 4 + 2 + 10] == bytes([0xFF] + [0] * 9)


def test_nested_calls_are_composed_by_name(chain: SubstrateChain) -> None:
    inner = broker("renew", core=3)
    sudo = chain.encode(CallSpec(TargetChain.CORETIME, "Sudo", "sudo", {"call": inner}))
    assert sudo[2:] == chain.encode(inner)  # Sudo's pallet and call index, then the inner call


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (CallSpec(TargetChain.CORETIME, "Brokr", "renew", {"core": 1}), "has no pallet 'Brokr'"),
        (broker("renw", core=1), "pallet Broker of runtime 2000006 has no call 'renw'"),
        (broker("renew", cor=1), "Broker.renew takes (core): missing ['core']; unknown ['cor']"),
        (broker("renew", core="x"), "cannot encode Broker.renew"),
    ],
)
def test_bad_calls_are_one_line_errors(chain: SubstrateChain, call: CallSpec, message: str) -> None:
    with pytest.raises(ChainIncompatible) as caught:
        chain.encode(call)
    assert message in caught.value.one_line()
    assert "\n" not in caught.value.one_line()
    assert caught.value.exit_code == 3


def test_relay_calls_need_relay_endpoints(chain: SubstrateChain) -> None:
    order = CallSpec(TargetChain.RELAY, "OnDemand", "place_order_keep_alive", {})
    with pytest.raises(ChainIncompatible, match="no endpoints configured for the relay chain"):
        chain.encode(order)


def test_capabilities_of_this_runtime(chain: SubstrateChain) -> None:
    caps = chain.capabilities()
    assert caps.spec_name == "coretime-paseo"
    assert caps.spec_version == 2000006
    assert caps.broker_storage_version >= 4
    assert caps.block_units is BlockUnits.RELAY
    assert caps.renewals_storage == "PotentialRenewals"
    assert caps.sale_price_field == "end_price"
    assert caps.has_auto_renew
    assert caps.has_minimum_credit_purchase
    assert caps.timeslice_period == 80
    assert caps.xcm_versions == (3, 4, 5)
    assert {
        "enable_auto_renew",
        "disable_auto_renew",
        "purchase",
        "renew",
        "assign",
    } <= caps.broker_calls
    assert {"TransactionPaymentCallApi", "DryRunApi", "XcmPaymentApi", "LocationToAccountApi"} <= (
        caps.runtime_apis
    )
    assert "BrokerApi" not in caps.runtime_apis
    assert caps.on_demand_pallet is None  # no relay endpoints given


def test_a_mask_too_large_for_ten_bytes_is_refused(chain: SubstrateChain) -> None:
    region = {"begin": 15, "core": 0, "mask": 1 << 80}
    with pytest.raises(ChainIncompatible, match=r"cannot encode Broker\.assign"):
        chain.encode(broker("assign", region_id=region, task=1, finality="Final"))
