"""The pieces the demo stands on: the auto-renew XCM path through the sandbox, the sandbox's
shape from the policies, the dev keys, and the clock that gives up when the daemon is silent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from agent.chain.sandbox import FAST_BROKER, SandboxChain
from agent.chain.sandbox.xcm_program import fungible, instructions
from agent.model.accounts import sibling_account
from agent.model.actions import Action, ActionKind, CallSpec, TargetChain
from agent.model.network import NetworkRegistry
from agent.model.outcome import OutcomeStatus
from agent.model.policy import LoadedPolicy
from agent.model.port import SignerSpec
from agent.policy import load_policies
from agent.render import renderer_for
from agent.runtime.demo_chain import LockedSandbox, SandboxClock
from agent.runtime.sandbox_setup import PARA_SUDO, build_network, dev_keys, roles_of
from agent.runtime.xcm import Weight, XcmValues, compose, execute_auto_renew

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


@pytest.fixture(scope="module")
def demo_policies() -> tuple[LoadedPolicy, ...]:
    return load_policies([DEMO], NetworkRegistry()).policies


def test_the_policies_shape_the_sandbox(demo_policies: tuple[LoadedPolicy, ...]) -> None:
    roles = roles_of(demo_policies)
    assert roles.bulk == (2000, 2001, 2003)
    assert roles.parathreads == (2002,)
    assert roles.bare == ()
    # the para sudo key sends the XCM; everyone else pays with a different dev key
    assert dev_keys(demo_policies) == {"demo-para-sudo": PARA_SUDO, "demo-ops": "//Bob"}


def _enable(para: int, core: int, hint: int) -> Action:
    call = CallSpec(
        TargetChain.CORETIME,
        "Broker",
        "enable_auto_renew",
        {"core": core, "task": para, "workload_end_hint": hint},
    )
    return Action(
        id="act_test",
        kind=ActionKind.ENABLE_AUTO_RENEW,
        policy="demo-auto-renewer",
        para_id=para,
        network="paseo",
        window="sale:1",
        max_cost=0,
        call=call,
        reason="test",
        signer="demo-para-sudo",
    )


@pytest.mark.parametrize("version", [3, 4, 5])
def test_the_sandbox_reads_the_program_in_both_shapes(version: int) -> None:
    values = XcmValues(2001, 1005, version, 10**8, Weight(10**9, 10**4), topic=None)
    built = compose(_enable(2001, 0, 72), values, renderer_for(None), None)
    wrapped = instructions(built.program.message)  # substrate-interface's shape: one list more
    readable = instructions(built.program.program)  # the template's readable form
    assert [name for name, _ in wrapped] == [name for name, _ in readable]
    assert [name for name, _ in wrapped][::2][:2] == ["WithdrawAsset", "Transact"]
    assert fungible(wrapped[0][1]) == fungible(readable[0][1]) == 10**8


def test_the_runtime_enables_auto_renew_through_sudo_xcm(
    demo_policies: tuple[LoadedPolicy, ...],
) -> None:
    chain = build_network(
        demo_policies[0].network, demo_policies, broker=FAST_BROKER, end_price=100, price_path=None
    )
    when, record = next((w, r) for (core, w), r in chain.world.broker.renewals.items() if core == 1)
    assert record.workload  # core 1 holds para 2001, renewable in the next sale
    policy = next(p for p in demo_policies if p.para_id == 2001)
    sudo = SignerSpec("demo-para-sudo", SecretStr(PARA_SUDO))
    outcome = execute_auto_renew(_enable(2001, 1, when), policy, chain, sudo)
    assert outcome.status is OutcomeStatus.INCLUDED, outcome.message
    assert "Broker.enable_auto_renew ok" in outcome.message
    autos = chain.world.broker.auto_renewals
    assert [(a.core, a.task, a.next_renewal) for a in autos] == [(1, 2001, when)]
    sale = chain.world.broker.sale
    assert sale is not None
    before = chain.balance(sibling_account(2001))
    chain.advance_to(sale.region_begin * 80)  # the rotation renews it, paid by the sibling
    assert chain.balance(sibling_account(2001)) == before - record.price


def test_the_clock_stops_the_demo_when_the_daemon_never_ticks(
    demo_policies: tuple[LoadedPolicy, ...],
) -> None:
    chain: SandboxChain = build_network(
        demo_policies[0].network, demo_policies, broker=FAST_BROKER, end_price=100, price_path=None
    )
    stopped: list[datetime] = []
    clock = SandboxClock(
        LockedSandbox(chain),
        step=40,
        speed=0,
        finished=lambda: False,
        on_step=lambda: None,
        then=lambda: stopped.append(datetime.now(UTC)),
        tick_timeout=0.2,
    )
    clock.start()
    clock.join(timeout=5)
    assert not clock.is_alive() and stopped
    assert clock.error is not None and "did not tick" in clock.error
    assert clock.steps == 0  # it never moved the chain without a tick to see it
