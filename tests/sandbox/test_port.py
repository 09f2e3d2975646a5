"""`SandboxChain` behind the chain port: capabilities, snapshot, encode, preflight, submit."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from agent.chain.sandbox import SandboxChain
from agent.chain.sandbox.encoding import decode_call, encode_call
from agent.errors import ChainIncompatible, SettingsError
from agent.model.accounts import sibling_account
from agent.model.actions import CallSpec, TargetChain
from agent.model.chain import BlockUnits
from agent.model.outcome import OutcomeStatus
from agent.model.port import ChainPort, ProxySpec, SignerSpec, SnapshotRequest
from tests.sandbox.helpers import (
    HUGE,
    PAS,
    broker,
    buy_and_assign,
    find,
    named,
    ok,
    paseo_chain,
    rotate,
    signer,
    started,
    to_fixed_price,
)

ALICE_ID = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
BOB = signer("//Bob")


def test_it_is_a_chain_port_with_a_modern_runtime() -> None:
    port: ChainPort = paseo_chain()
    caps = port.capabilities()
    assert caps.block_units is BlockUnits.RELAY and caps.broker_storage_version == 4
    assert caps.renewals_storage == "PotentialRenewals" and caps.has_auto_renew
    assert caps.on_demand_pallet == "OnDemand" and caps.xcm_versions == (3, 4, 5)
    assert {"enable_auto_renew", "renew", "purchase"} <= caps.broker_calls
    assert "BrokerApi" not in caps.runtime_apis and "DryRunApi" in caps.runtime_apis
    assert port.account_of(signer("//Alice")) == ALICE_ID  # the same key as on chopsticks
    assert port.account_of(signer("//Bob", ProxySpec(real=ALICE_ID))) == ALICE_ID


def test_snapshot_carries_the_broker_and_relay_state() -> None:
    chain = started()
    to_fixed_price(chain)
    region = buy_and_assign(chain, "//Bob", 2000)
    chain.register_para(2000)
    chain.register_para(2002, lifecycle="Parathread", pending=3)
    bob = chain.account("//Bob")
    snap = chain.snapshot(
        SnapshotRequest(
            para_ids=[2000, 2002], accounts=[bob], relay_accounts=[bob], region_owners=[bob]
        )
    )
    assert snap.coretime_block.number == chain.block_number
    assert snap.relay_block_number == chain.relay_number == snap.now_in_sale_units
    assert snap.sale == chain.world.broker.sale and snap.config == chain.world.broker.config
    assert [(r.core, r.when, r.price, r.complete) for r in snap.potential_renewals] == [
        (0, region["begin"] + 3, 500 * PAS, True)
    ]
    assert snap.regions == ()  # assigned Final: the region is consumed
    assert set(snap.balances) == {bob, sibling_account(2000), sibling_account(2002)}
    assert snap.relay_balances == {bob: chain.balance(bob, relay=True)}
    assert snap.paras[2002].pending_extrinsics == 3 and snap.paras[2002].lifecycle == "Parathread"
    assert snap.on_demand is not None and snap.on_demand.spot_price == 10**7  # floor × base fee
    assert snap.existential_deposit == PAS // 10


def test_snapshot_lists_the_regions_of_requested_owners_only() -> None:
    chain = started()
    to_fixed_price(chain)
    ok(chain.submit(broker("purchase", price_limit=HUGE), BOB))
    bob = chain.account("//Bob")
    mine = chain.snapshot(SnapshotRequest(para_ids=[], region_owners=[bob])).regions
    assert [(r.core, r.owner, r.paid) for r in mine] == [(0, bob, 500 * PAS)]
    assert chain.snapshot(SnapshotRequest(para_ids=[])).regions == ()


def test_encode_is_deterministic_not_scale_and_round_trips() -> None:
    chain = paseo_chain()
    call = broker("enable_auto_renew", core=48, task=2000, workload_end_hint=327885)
    assert chain.encode(call) == chain.encode(
        broker("enable_auto_renew", workload_end_hint=327885, task=2000, core=48)
    )
    assert chain.encode(call).startswith(b"SBX1")
    assert decode_call(encode_call(call)) == call
    with pytest.raises(ChainIncompatible, match="not sandbox-encoded"):
        decode_call("0x32153000d007000001cd000500")  # real SCALE bytes


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (broker("renew_core", core=0), "Broker.renew_core is not a call"),
        (broker("renew", core_index=0), "do not match the metadata"),
        (broker("purchase"), "do not match the metadata"),
        (
            CallSpec(TargetChain.RELAY, "Broker", "renew", {"core": 0}),
            "not a call of the sandbox's relay",
        ),
    ],
)
def test_unknown_calls_and_arguments_are_refused_by_name(call: CallSpec, message: str) -> None:
    chain = paseo_chain()
    with pytest.raises(ChainIncompatible, match=message):
        chain.encode(call)
    with pytest.raises(ChainIncompatible, match=message):
        chain.submit(call, BOB)


def test_a_bad_secret_is_a_settings_error_without_the_secret() -> None:
    spec = SignerSpec(name="ops", secret=SecretStr("not a valid secret at all"))
    with pytest.raises(SettingsError) as caught:
        paseo_chain().account_of(spec)
    assert "ops" in caught.value.one_line() and "valid secret" not in caught.value.one_line()
    assert "valid secret" not in repr(spec)


def test_preflight_predicts_without_changing_anything() -> None:
    chain = started()
    to_fixed_price(chain)
    block, balance = chain.block_number, chain.balance(chain.account("//Bob"))
    good = chain.preflight(broker("purchase", price_limit=HUGE), BOB)
    bad = chain.preflight(broker("purchase", price_limit=1), BOB)
    assert good.ok and good.partial_fee == chain.config.flat_fee() and good.weight_ref_time > 0
    assert not bad.ok and bad.error is not None and bad.error.name == "Overpriced"
    assert (chain.block_number, chain.balance(chain.account("//Bob"))) == (block, balance)
    assert chain.world.broker.sale is not None and chain.world.broker.sale.cores_sold == 0


def test_submit_outcome_fee_spent_and_events() -> None:
    chain = paseo_chain()
    charlie = chain.account("//Charlie")
    before = chain.balance(chain.account("//Bob"))
    transfer = CallSpec(
        TargetChain.CORETIME, "Balances", "transfer_keep_alive", {"dest": charlie, "value": 7 * PAS}
    )
    outcome = ok(chain.submit(transfer, BOB))
    assert outcome.status is OutcomeStatus.INCLUDED and outcome.block_number == chain.block_number
    assert outcome.spent == 7 * PAS and outcome.fee == chain.config.flat_fee()
    assert chain.balance(chain.account("//Bob")) == before - 7 * PAS - outcome.fee
    assert [f"{e.pallet}.{e.name}" for e in outcome.events] == [
        "Balances.Withdraw",
        "Balances.Transfer",
        "TransactionPayment.TransactionFeePaid",
        "System.ExtrinsicSuccess",
    ]


def test_submit_refuses_what_cannot_pay_its_fee() -> None:
    chain = paseo_chain()
    block = chain.block_number
    outcome = chain.submit(broker("renew", core=0), signer("//Nobody"))
    assert outcome.status is OutcomeStatus.INVALID and chain.block_number == block


@pytest.mark.parametrize(
    ("kind", "call", "error"),
    [
        ("CoretimeRenewer", broker("renew", core=0), None),
        ("CoretimeRenewer", broker("purchase", price_limit=HUGE), "CallFiltered"),
        ("Broker", broker("purchase", price_limit=HUGE), None),
        (None, broker("renew", core=0), "NotProxy"),
    ],
)
def test_proxies_act_for_the_real_account_within_their_type(
    kind: str | None, call: CallSpec, error: str | None
) -> None:
    chain = started()
    to_fixed_price(chain)
    buy_and_assign(chain, "//Bob", 2000)
    rotate(chain)
    to_fixed_price(chain)
    if kind is not None:
        chain.add_proxy("//Bob", "//Ferdie", kind)
    bob = chain.account("//Bob")
    before = chain.balance(bob)
    outcome = chain.submit(call, signer("//Ferdie", ProxySpec(real=bob)))
    assert (outcome.error.name if outcome.error else None) == error
    if error is None:
        assert outcome.spent == before - chain.balance(bob) > 0  # the real account paid


def _xcm(inner: CallSpec | dict[str, Any], *, fees: int = 10**10) -> CallSpec:
    asset = {"id": {"parents": 1, "interior": "Here"}, "fun": {"Fungible": fees}}
    message = {
        "V4": [
            {"WithdrawAsset": [asset]},
            {"BuyExecution": {"fees": asset, "weight_limit": "Unlimited"}},
            {
                "Transact": {
                    "origin_kind": "SovereignAccount",
                    "fallback_max_weight": None,
                    "call": inner,
                }
            },
            "RefundSurplus",
            {
                "DepositAsset": {
                    "assets": {"Wild": {"AllCounted": 1}},
                    "beneficiary": {"parents": 1},
                }
            },
        ]
    }
    dest = {"V4": {"parents": 1, "interior": {"X1": [{"Parachain": 1005}]}}}
    return CallSpec(
        TargetChain.PARACHAIN, "PolkadotXcm", "send", {"dest": dest, "message": message}
    )


def _para_sudo(call: CallSpec) -> CallSpec:
    return CallSpec(TargetChain.PARACHAIN, "Sudo", "sudo", {"call": call})


@pytest.mark.parametrize("form", ["callspec", "mapping", "encoded"])
def test_auto_renew_through_xcm_from_the_para_sudo(form: str) -> None:
    chain = started()
    to_fixed_price(chain)
    buy_and_assign(chain, "//Bob", 2000)
    rotate(chain)
    chain.register_para(2000, sudo="//Eve")
    sib = sibling_account(2000)
    chain.set_balance(sib, 10**15)
    inner = broker("enable_auto_renew", core=0, task=2000, workload_end_hint=None)
    body: Any = {
        "callspec": inner,
        "mapping": {"pallet": "Broker", "function": "enable_auto_renew", "args": dict(inner.args)},
        "encoded": "0x" + encode_call(inner).hex(),
    }[form]
    outcome = ok(chain.submit(_para_sudo(_xcm(body)), signer("//Eve")))
    assert named(outcome.events, "PolkadotXcm") == ["Sent"] and outcome.fee == 0
    coretime = chain.block_events()
    assert find(coretime, "Processed").attributes["success"] is True
    assert find(coretime, "Renewed").attributes["who"] == sib
    assert chain.world.broker.auto_renewals[0].task == 2000
    assert chain.balance(sib) == 10**15 - 500 * PAS - chain.config.flat_xcm_fee()


def test_xcm_without_root_arrives_as_another_account() -> None:
    chain = started()
    chain.register_para(2000, sudo="//Eve")
    outcome = ok(
        chain.submit(
            _xcm(broker("enable_auto_renew", core=0, task=2000, workload_end_hint=None)),
            signer("//Eve"),
        )
    )
    assert "failed on the Coretime chain" in outcome.message
    assert find(chain.block_events(), "Processed").attributes["success"] is False
    assert chain.world.broker.auto_renewals == []


def test_xcm_from_an_unknown_para_key_is_refused() -> None:
    chain = started()
    outcome = chain.submit(_para_sudo(_xcm(broker("renew", core=0))), signer("//Eve"))
    assert outcome.status is OutcomeStatus.INVALID


def test_checkpoint_restores_everything() -> None:
    chain = started()
    to_fixed_price(chain)
    saved = chain.save()
    state = (chain.block_number, chain.relay_number, chain.balance(chain.account("//Bob")))
    ok(chain.submit(broker("purchase", price_limit=HUGE), BOB))
    chain.advance(500)
    chain.restore(saved)
    assert (chain.block_number, chain.relay_number, chain.balance(chain.account("//Bob"))) == state
    assert chain.world.broker.sale is not None and chain.world.broker.sale.cores_sold == 0
    twin = chain.fork()
    ok(twin.submit(broker("purchase", price_limit=HUGE), BOB))
    assert chain.world.broker.sale.cores_sold == 0


def test_preset_gives_bulk_paras_rights_and_a_waiting_parathread() -> None:
    chain = SandboxChain.preset()
    snap = chain.snapshot(SnapshotRequest(para_ids=[2000, 2001, 2002]))
    assert sorted(r.tasks for r in snap.potential_renewals) == [
        frozenset({2000}),
        frozenset({2001}),
    ]
    assert snap.paras[2002].lifecycle == "Parathread" and snap.paras[2002].last_block_relay is None
    assert all(snap.balances[sibling_account(p)] > 0 for p in (2000, 2001, 2002))


@pytest.mark.parametrize("encoded", [False, True])
def test_a_sudo_key_shared_by_paras_sends_for_the_para_the_call_names(encoded: bool) -> None:
    chain = started()
    to_fixed_price(chain)
    buy_and_assign(chain, "//Bob", 2000)
    buy_and_assign(chain, "//Charlie", 2001)
    rotate(chain)
    for para in (2000, 2001):
        chain.register_para(para, sudo="//Eve")
        chain.set_balance(sibling_account(para), 10**15)
    inner = broker("enable_auto_renew", core=1, task=2001, workload_end_hint=None)
    body: Any = "0x" + encode_call(inner).hex() if encoded else inner
    ok(chain.submit(_para_sudo(_xcm(body)), signer("//Eve")))
    assert find(chain.block_events(), "Renewed").attributes["who"] == sibling_account(2001)
    assert find(chain.block_events(), "Processed").attributes["origin"] == {"Sibling": 2001}
