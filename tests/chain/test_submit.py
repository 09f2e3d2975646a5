"""Submissions: nonces across several in a row, pool refusals, and a bounded wait."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr
from substrateinterface import Keypair

from agent.chain.substrate import SubmitSettings, SubstrateChain
from agent.model.actions import CallSpec, TargetChain
from agent.model.network import PASEO
from agent.model.outcome import OutcomeStatus
from agent.model.port import SignerSpec
from tests.chain.conftest import signer
from tests.support.devnet import PAS, ChopsticksProcess, Devnet

pytestmark = pytest.mark.chain

FERDIE = signer("//Ferdie")


def transfer(to: str, planck: int) -> CallSpec:
    return CallSpec(
        TargetChain.CORETIME, "Balances", "transfer_keep_alive", {"dest": to, "value": planck}
    )


def nonce(devnet: Devnet, account: str) -> int:
    return int(devnet.api.query("System", "Account", [account]).value["nonce"])


def test_three_submissions_in_a_row_all_land(devnet: Devnet, chain: SubstrateChain) -> None:
    ferdie, alice = chain.account_of(FERDIE), chain.account_of(signer("//Alice"))
    start = nonce(devnet, ferdie)
    outcomes = [chain.submit(transfer(alice, (i + 1) * PAS), FERDIE) for i in range(3)]
    assert [o.status for o in outcomes] == [OutcomeStatus.INCLUDED] * 3
    assert [o.spent for o in outcomes] == [
        1 * PAS,
        2 * PAS,
        3 * PAS,
    ]  # Balances.Transfer by the payer
    assert all(o.fee > 0 for o in outcomes)
    numbers = [o.block_number for o in outcomes]
    assert numbers == sorted(set(numbers))  # three different blocks, in order
    assert nonce(devnet, ferdie) == start + 3
    assert chain.rpc_methods["system_accountNextIndex"] == 1  # asked once, then tracked locally


def test_a_nonce_used_elsewhere_is_resynced_and_retried(
    devnet: Devnet, chain: SubstrateChain
) -> None:
    alice = chain.account_of(signer("//Alice"))
    assert chain.submit(transfer(alice, PAS), FERDIE).status is OutcomeStatus.INCLUDED
    devnet.submit(
        devnet.call("System", "remark", {"remark": "0x00"}), Keypair.create_from_uri("//Ferdie")
    )
    outcome = chain.submit(transfer(alice, PAS), FERDIE)  # its tracked nonce is now stale
    assert outcome.status is OutcomeStatus.INCLUDED, outcome.message
    assert chain.rpc_methods["system_accountNextIndex"] == 2


def test_a_pool_refusal_is_invalid_with_its_reason(devnet: Devnet, chain: SubstrateChain) -> None:
    broke = SignerSpec("broke", SecretStr("//NobodyFundedThis"))
    outcome = chain.submit(transfer(chain.account_of(FERDIE), PAS), broke)
    assert outcome.status is OutcomeStatus.INVALID
    assert "pay" in outcome.message.lower()  # "Inability to pay some fees"
    assert outcome.block_hash is None


def test_no_inclusion_by_the_deadline_is_unknown_not_a_hang(
    devnet: Devnet, chopsticks_node: ChopsticksProcess
) -> None:
    hurried = SubstrateChain(
        PASEO, [chopsticks_node.url], submit=SubmitSettings(inclusion_timeout=0.05)
    )
    try:
        started = time.monotonic()
        outcome = hurried.submit(transfer(hurried.account_of(FERDIE), PAS), signer("//Eve"))
        assert time.monotonic() - started < 10
        assert outcome.status is OutcomeStatus.UNKNOWN
        assert outcome.extrinsic_hash is not None  # for reconciliation later
        assert "not included within 0.05s" in outcome.message
    finally:
        hurried.close()
        time.sleep(2)  # let chopsticks finish the block it was building before the reset
