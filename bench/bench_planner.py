"""Time `plan()` + `check()` for 1,000 varied policies against one snapshot.

Run: ``.venv/bin/python bench/bench_planner.py [--policies N] [--repeat R]``. Two snapshots:
a "renewal day" (a quarter into the interlude: every renewal, top-up and on-demand trigger
fires in the same tick, about one action per policy) and a "steady tick" (fixed-price phase,
renewals done). Prints the best and median wall time of R runs and what the plan contained.
The target is under 50 ms for 1,000 policies.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.guard import check
from agent.model.accounts import sibling_account
from agent.model.chain import (
    COMPLETE_MASK,
    AssignmentKind,
    AutoRenewal,
    BlockRef,
    BlockUnits,
    BrokerConfig,
    BrokerStatus,
    Capabilities,
    ChainSnapshot,
    OnDemandState,
    ParaActivity,
    PotentialRenewal,
    Region,
    SaleInfo,
    ScheduleItem,
)
from agent.model.network import NetworkRegistry
from agent.model.outcome import LedgerView, SpendEntry
from agent.model.policy import CoretimePolicy, LoadedPolicy
from agent.planner import plan

DOT = 10**10
BEGIN, LENGTH, PERIOD, NOTICE = 10_000, 5040, 80, 20
ROTATION = (BEGIN - LENGTH) * PERIOD - NOTICE
INTERLUDE = LEADIN = 100_800
LEADIN_END = ROTATION + INTERLUDE + LEADIN
NOW_RELAY = ROTATION + INTERLUDE // 4  # a quarter into the interlude: renewals are due
NOW = datetime(2026, 7, 15, 12, tzinfo=UTC)
FIRST_PARA = 2000
SIGNERS = [f"ops-{i}" for i in range(20)]
PAYERS = {name: "0x" + f"{i + 1:02x}" * 32 for i, name in enumerate(SIGNERS)}


def make_policy(i: int, registry: NetworkRegistry) -> LoadedPolicy:
    para = FIRST_PARA + i
    spec: dict[str, Any] = {
        "network": "polkadot",
        "paraId": para,
        "signer": SIGNERS[i % len(SIGNERS)],
        "budget": {
            "limits": [
                {"period": "sale", "amount": "400 DOT"},
                {"period": "30d", "amount": "900 DOT"},
            ]
        },
    }
    flavour = i % 4
    if flavour in (0, 1):
        spec["renewal"] = {"enabled": True, "maxPrice": "150 DOT", "maxIncrease": "20%"}
    if flavour == 1:
        spec["autoRenew"] = {"manage": True, "funding": {"topUp": True, "maxTopUp": "100 DOT"}}
    if flavour == 2:
        spec["purchase"] = {
            "enabled": True,
            "maxPrice": "200 DOT",
            "when": "any-time",
            "cores": 1 + i % 2,
        }
    if flavour in (2, 3):
        spec["onDemand"] = {
            "enabled": True,
            "trigger": {"pendingExtrinsics": 1, "maxIdleRelayBlocks": 12},
            "maxSpotPrice": "0.5 DOT",
        }
    document = {
        "apiVersion": "coretime-agent/v1",
        "kind": "CoretimePolicy",
        "metadata": {"name": f"para-{para}"},
        "spec": spec,
    }
    net = registry.get("polkadot")
    assert net is not None
    parsed = CoretimePolicy.model_validate(
        document, context={"networks": registry, "token": net.token}
    )
    return LoadedPolicy(parsed, net, f"para-{para}.yaml", f"digest-{i}")


def make_snapshot(count: int, *, busy: bool) -> ChainSnapshot:
    """``busy``: a quarter into the interlude, every renewal due at once (the worst tick).

    Otherwise a steady tick in the fixed-price phase: renewals done and auto-renewals set,
    bought regions assigned, and only some on-demand triggers firing.
    """
    now = NOW_RELAY if busy else LEADIN_END + 5_000
    renewals, autos, workload, workplan, regions, paras = [], [], {}, {}, [], {}
    balances = {acct: 5_000 * DOT for acct in PAYERS.values()}
    for i in range(count):
        para, core = FIRST_PARA + i, i % 900
        work = (ScheduleItem(COMPLETE_MASK, AssignmentKind.TASK, para),)
        if i % 4 in (0, 1):
            workload[core] = work
            auto = i % 8 == 1 or (not busy and i % 4 == 1)
            if busy and not auto:
                renewals.append(PotentialRenewal(core, BEGIN, (40 + i % 30) * DOT, True, work))
            else:  # renewed (by hand, or on chain at the rotation for auto-renewing paras)
                renewals.append(PotentialRenewal(core, BEGIN + LENGTH, 45 * DOT, True, work))
                workplan[(BEGIN, core)] = work
            if auto:
                autos.append(AutoRenewal(core, para, BEGIN + LENGTH))
            balances[sibling_account(para)] = (i % 3) * 30 * DOT if busy else 100 * DOT
        if i % 12 == 2:
            owner = PAYERS[SIGNERS[i % 20]]
            if busy:
                regions.append(
                    Region(BEGIN, 950 + i % 40, COMPLETE_MASK, BEGIN + LENGTH, owner, 10 * DOT)
                )
            else:
                workplan[(BEGIN, 950 + i % 40)] = work
        if not busy and i % 4 == 3:
            workload[900 + i % 90] = work  # bulk now: on-demand stands by
        idle = i % 30 if busy else i % 15
        paras[para] = ParaActivity(
            last_block_relay=now - idle, pending_extrinsics=i % 3 if busy else int(i % 10 == 0)
        )
    caps = Capabilities(
        "coretime-polkadot",
        2_003_002,
        4,
        BlockUnits.RELAY,
        "PotentialRenewals",
        "end_price",
        True,
        True,
        "OnDemand",
        "OrderStatus",
        (3, 4, 5),
        frozenset(),
        frozenset(),
    )
    return ChainSnapshot(
        network="polkadot",
        coretime_block=BlockRef(now // 2, "0xc0"),
        relay_block_number=now,
        capabilities=caps,
        config=BrokerConfig(
            NOTICE, INTERLUDE, LEADIN, LENGTH, 400_000_000, None, 30_000_000, LENGTH
        ),
        status=BrokerStatus(1000, 0, 0, now // PERIOD, now // PERIOD),
        sale=SaleInfo(
            ROTATION + INTERLUDE,
            LEADIN,
            10 * DOT,
            BEGIN,
            BEGIN + LENGTH,
            40,
            1000,
            0,
            10 * DOT,
            100,
        ),
        potential_renewals=tuple(renewals),
        auto_renewals=tuple(autos),
        workplan=workplan,
        workload=workload,
        regions=tuple(regions),
        balances=balances,
        on_demand=OnDemandState(
            10**18, DOT // 10, 3, 500, 250_000_000, 30_000_000, (FIRST_PARA + 3,)
        ),
        relay_balances={acct: 100 * DOT for acct in PAYERS.values()},
        paras=paras,
        existential_deposit=DOT // 100,
    )


def make_ledger(policies: list[LoadedPolicy]) -> LedgerView:
    entries = tuple(
        SpendEntry(
            p.name,
            f"act_{i}",
            30 * DOT,
            NOW - timedelta(days=i % 40),
            BEGIN - LENGTH * (i % 2),
            i % 5 == 0,
        )
        for i, p in enumerate(policies)
    )
    return LedgerView(
        entries=entries,
        last_price_paid={(p.name, "renew"): 45 * DOT for p in policies[::2]},
        recent_orders={p.name: (NOW - timedelta(minutes=5),) for p in policies[::3]},
    )


def measure(
    policies: list[LoadedPolicy], snapshot: ChainSnapshot, view: LedgerView, repeat: int
) -> tuple[float, float, float, str]:
    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        result = plan(policies, snapshot, view, NOW, PAYERS)
        guarded = check(result, policies, view, NOW)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    counts = (
        f"actions={len(result.actions)} alerts={len(result.alerts)} "
        f"decisions={len(result.decisions)} approved={len(guarded.approved)} "
        f"refused={len(guarded.refused)}"
    )
    return min(timings) * 1000, statistics.median(timings) * 1000, min(cpu) * 1000, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    registry = NetworkRegistry()
    policies = [make_policy(i, registry) for i in range(args.policies)]
    view = make_ledger(policies)
    print(f"policies={args.policies} repeat={args.repeat} (plan() + check(), time.perf_counter)")
    for label, busy in (("renewal day", True), ("steady tick", False)):
        best, median, cpu, counts = measure(
            policies, make_snapshot(args.policies, busy=busy), view, args.repeat
        )
        print(
            f"{label:12s} best {best:6.1f} ms  median {median:6.1f} ms  (cpu best {cpu:5.1f} ms)"
            f"  {counts}"
        )
    print("target: < 50 ms for 1,000 policies; cpu = time.process_time, for a busy machine")


if __name__ == "__main__":
    main()
