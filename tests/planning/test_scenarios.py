"""Scenarios: a snapshot and a ledger in, a plan out; the reasons are what `plan` prints."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.model.accounts import sibling_account
from agent.model.actions import ActionKind, AlertKind
from agent.model.chain import AutoRenewal, BlockUnits, ParaActivity
from tests.planning.builders import (
    DOT,
    INTERLUDE,
    LEADIN,
    LEADIN_END,
    PARA,
    PAYER,
    REGION_BEGIN,
    REGION_END,
    ROTATION,
    SALE_START,
    caps,
    ledger,
    on_demand,
    policy,
    region,
    right,
    run,
    snapshot,
    work,
)

FULL: dict[str, Any] = {
    "renewal": {
        "enabled": True,
        "startAfter": "5%",
        "deadline": "80%",
        "maxPrice": "150 DOT",
        "maxIncrease": "10%",
    },
    "autoRenew": {"manage": True, "funding": {"topUp": True, "maxTopUp": "100 DOT"}},
    "purchase": {"enabled": True, "maxPrice": "200 DOT", "when": "fixed-price"},
    "onDemand": {
        "enabled": True,
        "trigger": {"pendingExtrinsics": 1, "maxIdleRelayBlocks": 12},
        "maxSpotPrice": "0.5 DOT",
    },
    "budget": {"limits": [{"period": "sale", "amount": "400 DOT"}]},
}
SIB = sibling_account(PARA)


def reasons(result: Any) -> list[tuple[str, str, str]]:
    return [(d.topic, d.outcome, d.reason) for d in result.decisions]


def test_interlude_renewal_with_everything_enabled() -> None:
    now = ROTATION + INTERLUDE // 10
    snap = snapshot(
        now,
        renewals=(right(core=7, price=50 * DOT),),
        workload={7: work()},
        balances={PAYER: 1_000 * DOT, SIB: 0},
        ondemand=on_demand(),
        paras={PARA: ParaActivity(last_block_relay=now - 1, pending_extrinsics=3)},
    )
    view = ledger(last_price_paid={("acala", "renew"): 48 * DOT})
    result = run(policy(**FULL), snap, view)
    assert reasons(result) == [
        (
            "renewal",
            "act",
            "renew core 7 for region 10000–15040 at 50 DOT; the next renewal will cost 51.5 DOT",
        ),
        (
            "purchase",
            "skip",
            "para 2000 holds a renewal right on core 7 in this sale; renewal covers it",
        ),
        (
            "auto-renew",
            "wait",
            "core 7 is renewable in this sale; enabling once the renewal has landed "
            "(enabling now would renew at once from the sibling account)",
        ),
        ("funding", "act", "top up the sibling account with 56.66 DOT (short 56.66 DOT)"),
        ("on-demand", "skip", "para 2000 runs on bulk core 7"),
    ]
    assert [a.kind for a in result.actions] == [ActionKind.RENEW, ActionKind.TOP_UP]
    assert [a.kind for a in result.alerts] == [
        AlertKind.AUTO_RENEW_MISSING,
        AlertKind.SOVEREIGN_SHORT,
    ]


def test_next_tick_after_the_renewal_enables_auto_renew() -> None:
    now = ROTATION + INTERLUDE // 5
    snap = snapshot(
        now,
        renewals=(right(core=44, when=REGION_END, price=515 * DOT // 10),),
        workplan={(REGION_BEGIN, 44): work()},
        workload={7: work()},
        balances={PAYER: 1_000 * DOT, SIB: 60 * DOT},
        ondemand=on_demand(),
    )
    result = run(policy(**FULL), snap)
    assert reasons(result)[0] == (
        "renewal",
        "done",
        "para 2000 holds core 44 for region 10000–15040; the next renewal costs 51.5 DOT",
    )
    assert reasons(result)[2] == (
        "auto-renew",
        "act",
        "enable auto-renewal of core 44 for para 2000 (current workload ends at timeslice 15040)",
    )
    assert reasons(result)[3][:2] == ("funding", "done")
    assert [a.kind for a in result.actions] == [ActionKind.ENABLE_AUTO_RENEW]


def test_para_that_lost_its_core_buys_at_fixed_price_and_orders_meanwhile() -> None:
    now = SALE_START + LEADIN // 3
    snap = snapshot(
        now,
        balances={PAYER: 1_000 * DOT, SIB: 100 * DOT},
        ondemand=on_demand(),
        paras={PARA: ParaActivity(last_block_relay=now - 30)},
    )
    result = run(policy(**FULL), snap)
    by_topic = {t: (o, r) for t, o, r in reasons(result)}
    assert by_topic["renewal"] == (
        "skip",
        "para 2000 has no renewal right in this sale (region 10000–15040)",
    )
    assert by_topic["purchase"][0] == "wait"
    assert by_topic["purchase"][1].startswith("lead-in price ")
    assert by_topic["on-demand"][0] == "act"
    assert by_topic["on-demand"][1].startswith("no block for 30 relay blocks (trigger 12)")
    assert [a.kind for a in result.actions] == [ActionKind.ORDER_ON_DEMAND]


def test_bought_region_is_counted_then_assigned() -> None:
    snap = snapshot(LEADIN_END + 10, regions=(region(core=45),), balances={PAYER: 1_000 * DOT})
    result = run(policy(purchase=FULL["purchase"]), snap)
    by_topic = {t: (o, r) for t, o, r in reasons(result)}
    assert by_topic["purchase"] == ("done", "para 2000 has 1 of 1 core(s) for region 10000–15040")
    assert by_topic["assign"] == (
        "act",
        "assign region 10000–15040 on core 45 to para 2000 (Final)",
    )


def test_old_runtime_prices_with_linear_curve_on_coretime_blocks() -> None:
    snap = snapshot(
        9_999_999,
        units=BlockUnits.PARACHAIN,
        coretime_block=1_000 + 50,
        capabilities=caps(BlockUnits.PARACHAIN, sale_price_field="price"),
        sale_changes={"sale_start": 1_000, "leadin_length": 100},
        config_changes={"interlude_length": 200},
        balances={PAYER: 1_000 * DOT},
    )
    result = run(
        policy(purchase={"enabled": True, "maxPrice": "200 DOT", "when": "any-time"}), snap
    )
    (action,) = result.actions
    assert action.expected_cost == 15 * DOT  # Linear at x = 0.5 on a 10 DOT regular price


def test_policy_for_another_network_is_skipped() -> None:
    result = run(policy(network="kusama"), snapshot())
    assert reasons(result) == [
        ("policy", "skip", "policy is for kusama; this snapshot is polkadot")
    ]


def test_disabled_everything_explains_every_topic() -> None:
    result = run(policy(), snapshot())
    assert [(t, o) for t, o, _ in reasons(result)] == [
        ("renewal", "skip"),
        ("purchase", "skip"),
        ("auto-renew", "skip"),
        ("on-demand", "skip"),
    ]


def test_plan_is_deterministic() -> None:
    snap = snapshot(ROTATION + INTERLUDE // 2, renewals=(right(),), ondemand=on_demand())
    items = [policy(**FULL), policy("beta", 2001, **FULL)]
    assert run(items, snap) == run(items, snap)


# -- never raises, whatever the chain looks like --------------------------------------------
chain_states = st.fixed_dictionaries(
    {
        "now": st.integers(0, 1_200_000),
        "with_sale": st.booleans(),
        "with_config": st.booleans(),
        "sale_changes": st.fixed_dictionaries(
            {
                "leadin_length": st.integers(0, 200_000),
                "cores_sold": st.integers(0, 12),
                "cores_offered": st.integers(0, 10),
                "end_price": st.integers(0, 10**14),
            }
        ),
        "renewals": st.lists(
            st.builds(
                right,
                core=st.integers(0, 60),
                when=st.sampled_from([REGION_BEGIN, REGION_END, REGION_END + 5040, 3]),
                price=st.integers(0, 10**14),
                para=st.sampled_from([PARA, 2001]),
                complete=st.booleans(),
            ),
            max_size=4,
        ).map(tuple),
        "auto": st.lists(
            st.builds(
                AutoRenewal,
                core=st.integers(0, 60),
                task=st.sampled_from([PARA, 2001]),
                next_renewal=st.sampled_from([REGION_BEGIN, REGION_END, 1]),
            ),
            max_size=3,
        ).map(tuple),
        "regions": st.lists(
            st.builds(
                region, core=st.integers(0, 60), begin=st.sampled_from([REGION_BEGIN, 4960, 0])
            ),
            max_size=3,
        ).map(tuple),
        "balances": st.fixed_dictionaries(
            {PAYER: st.integers(0, 10**14), SIB: st.integers(0, 10**14)}
        ),
        "ondemand": st.one_of(st.none(), st.builds(on_demand, spot=st.integers(0, 10**11))),
    }
)


@settings(max_examples=150, deadline=None)
@given(chain_states)
def test_unusual_chain_states_are_explained_not_raised(state: dict[str, Any]) -> None:
    items = [policy(**FULL), policy("beta", 2001, **FULL)]
    result = run(items, snapshot(**state))
    ids = [a.id for a in result.actions]
    assert len(ids) == len(set(ids))
    for action in result.actions:
        assert action.max_cost >= 0
        assert action.expected_cost is None or 0 <= action.expected_cost <= action.max_cost
    # every policy explains every topic at least once
    for name in ("acala", "beta"):
        topics = {d.topic for d in result.decisions if d.policy == name}
        assert {"renewal", "purchase", "auto-renew", "on-demand"} <= topics
