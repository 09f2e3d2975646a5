"""Small builders for snapshots, policies and ledger views used by the planner and guard tests.

The default chain is a relay-unit (storage v4) Coretime chain in the middle of a sale:

- timeslice period 80, region 10_000–15_040 (5040 timeslices), advance notice 20;
- the sale opened at relay block ROTATION = 4960·80 − 20 = 396_780;
- interlude and lead-in of 100_800 relay blocks each;
- end price 10 DOT (so the lead-in starts at 1000 DOT and crosses the 100 DOT target halfway).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from agent.model.actions import AlertKind, Decision, Plan
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
    Lease,
    OnDemandState,
    ParaActivity,
    PotentialRenewal,
    Region,
    SaleInfo,
    Schedule,
    ScheduleItem,
)
from agent.model.money import PERBILL
from agent.model.network import POLKADOT, NetworkRegistry
from agent.model.outcome import LedgerView
from agent.model.policy import CoretimePolicy, LoadedPolicy
from agent.planner import plan

DOT = 10**10
PERIOD = 80
ADVANCE = 20
REGION_BEGIN = 10_000
REGION_LENGTH = 5040
REGION_END = REGION_BEGIN + REGION_LENGTH
ROTATION = (REGION_BEGIN - REGION_LENGTH) * PERIOD - ADVANCE
INTERLUDE = 100_800
LEADIN = 100_800
SALE_START = ROTATION + INTERLUDE
LEADIN_END = SALE_START + LEADIN
END_PRICE = 10 * DOT
NEXT_ROTATION = REGION_BEGIN * PERIOD - ADVANCE

PARA = 2000
PAYER = "0x" + "11" * 32
OTHER_PAYER = "0x" + "22" * 32
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def pct(value: float) -> int:
    """A percentage as parts per billion (test inputs only)."""
    return round(value * PERBILL / 100)


def caps(
    units: BlockUnits = BlockUnits.RELAY,
    *,
    sale_price_field: str = "end_price",
    has_auto_renew: bool = True,
    on_demand_pallet: str | None = "OnDemand",
) -> Capabilities:
    return Capabilities(
        spec_name="coretime-polkadot",
        spec_version=2_003_002,
        broker_storage_version=4 if units is BlockUnits.RELAY else 3,
        block_units=units,
        renewals_storage="PotentialRenewals",
        sale_price_field=sale_price_field,
        has_auto_renew=has_auto_renew,
        has_minimum_credit_purchase=True,
        on_demand_pallet=on_demand_pallet,
        on_demand_storage="OrderStatus",
        xcm_versions=(3, 4, 5),
        runtime_apis=frozenset(),
        broker_calls=frozenset({"renew", "purchase", "assign", "enable_auto_renew"}),
        timeslice_period=PERIOD,
    )


def config(**changes: Any) -> BrokerConfig:
    base = BrokerConfig(
        advance_notice=ADVANCE,
        interlude_length=INTERLUDE,
        leadin_length=LEADIN,
        region_length=REGION_LENGTH,
        ideal_bulk_proportion=pct(40),
        limit_cores_offered=None,
        renewal_bump=pct(3),
        contribution_timeout=5040,
    )
    return replace(base, **changes)


def sale(**changes: Any) -> SaleInfo:
    base = SaleInfo(
        sale_start=SALE_START,
        leadin_length=LEADIN,
        end_price=END_PRICE,
        region_begin=REGION_BEGIN,
        region_end=REGION_END,
        ideal_cores_sold=4,
        cores_offered=10,
        first_core=40,
        sellout_price=END_PRICE,
        cores_sold=2,
    )
    return replace(base, **changes)


def work(para: int = PARA) -> Schedule:
    return (ScheduleItem(COMPLETE_MASK, AssignmentKind.TASK, para),)


def right(
    core: int = 7,
    when: int = REGION_BEGIN,
    price: int = 50 * DOT,
    para: int = PARA,
    *,
    complete: bool = True,
) -> PotentialRenewal:
    return PotentialRenewal(
        core=core, when=when, price=price, complete=complete, workload=work(para)
    )


def region(
    core: int = 45, begin: int = REGION_BEGIN, end: int = REGION_END, owner: str | None = PAYER
) -> Region:
    return Region(begin=begin, core=core, mask=COMPLETE_MASK, end=end, owner=owner, paid=10 * DOT)


def on_demand(
    *, spot: int = DOT // 10, queued: tuple[int, ...] = (), size: int = 0, max_size: int = 500
) -> OnDemandState:
    # traffic 1.0 (FixedU128) × base fee = spot
    return OnDemandState(
        traffic=10**18,
        base_fee=spot,
        queue_size=size,
        max_queue_size=max_size,
        target_queue_utilization=pct(25),
        fee_variability=pct(3),
        queued_paras=queued,
    )


def snapshot(
    now: int = SALE_START - 1,
    *,
    units: BlockUnits = BlockUnits.RELAY,
    coretime_block: int | None = None,
    capabilities: Capabilities | None = None,
    with_sale: bool = True,
    with_config: bool = True,
    sale_changes: Mapping[str, Any] | None = None,
    config_changes: Mapping[str, Any] | None = None,
    renewals: tuple[PotentialRenewal, ...] = (),
    auto: tuple[AutoRenewal, ...] = (),
    leases: tuple[Lease, ...] = (),
    workplan: Mapping[tuple[int, int], Schedule] | None = None,
    workload: Mapping[int, Schedule] | None = None,
    regions: tuple[Region, ...] = (),
    balances: Mapping[str, int] | None = None,
    relay_balances: Mapping[str, int] | None = None,
    ondemand: OnDemandState | None = None,
    paras: Mapping[int, ParaActivity] | None = None,
    existential_deposit: int = DOT // 100,
    network: str = "polkadot",
) -> ChainSnapshot:
    """A snapshot at relay block ``now`` (sale units follow ``units``)."""
    return ChainSnapshot(
        network=network,
        coretime_block=BlockRef(coretime_block if coretime_block is not None else now // 2, "0xc0"),
        relay_block_number=now,
        capabilities=capabilities or caps(units),
        config=config(**(config_changes or {})) if with_config else None,
        status=BrokerStatus(60, 0, 0, now // PERIOD, now // PERIOD),
        sale=sale(**(sale_changes or {})) if with_sale else None,
        potential_renewals=renewals,
        auto_renewals=auto,
        leases=leases,
        workplan=dict(workplan or {}),
        workload=dict(workload or {}),
        regions=regions,
        balances=dict(balances if balances is not None else {PAYER: 10_000 * DOT}),
        relay_block=BlockRef(now, "0xr0"),
        on_demand=ondemand,
        relay_balances=dict(relay_balances if relay_balances is not None else {PAYER: 100 * DOT}),
        paras=dict(paras or {}),
        existential_deposit=existential_deposit,
    )


def policy(
    name: str = "acala",
    para: int = PARA,
    *,
    signer: str = "ops",
    network: str = "polkadot",
    **spec: Any,
) -> LoadedPolicy:
    """A validated policy; ``spec`` holds camelCase sections like ``renewal={...}``."""
    document = {
        "apiVersion": "coretime-agent/v1",
        "kind": "CoretimePolicy",
        "metadata": {"name": name},
        "spec": {"network": network, "paraId": para, "signer": signer, **spec},
    }
    registry = NetworkRegistry()
    net = registry.get(network)
    assert net is not None
    parsed = CoretimePolicy.model_validate(
        document, context={"networks": registry, "token": net.token}
    )
    digest = hashlib.sha256(repr(document).encode()).hexdigest()
    return LoadedPolicy(policy=parsed, network=net, source=f"{name}.yaml", digest=digest)


RENEW = {"enabled": True, "startAfter": "5%", "deadline": "80%", "maxPrice": "150 DOT"}


def ledger(**changes: Any) -> LedgerView:
    return replace(LedgerView(), **changes)


PAYERS = {"ops": PAYER}
TOKEN = POLKADOT.token


def run(
    policies: LoadedPolicy | list[LoadedPolicy],
    snap: ChainSnapshot,
    view: LedgerView | None = None,
    *,
    now: datetime = NOW,
    payers: Mapping[str, str] | None = None,
) -> Plan:
    items = policies if isinstance(policies, list) else [policies]
    return plan(items, snap, view or LedgerView(), now, PAYERS if payers is None else payers)


def decisions(result: Plan, topic: str) -> list[Decision]:
    return [d for d in result.decisions if d.topic == topic]


def only(result: Plan, topic: str) -> Decision:
    found = decisions(result, topic)
    assert len(found) == 1, found
    return found[0]


def alert_kinds(result: Plan) -> list[AlertKind]:
    return [a.kind for a in result.alerts]
