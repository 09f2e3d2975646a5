"""`coretime-agent simulate`: what the policies would pay and refuse over the next N sales.

Why: an ops team must be able to ask "what will this policy cost over the next year?" before
the money moves. The answer comes from the agent itself: the real planner, guard and cycle,
a throwaway ledger, and one sandbox network per policy network whose sale prices follow the
scenario. Each sandbox is shaped after its policies (`sandbox_setup`), uses Polkadot's sale
timing (28-day regions, 7-day interlude and lead-in) and starts at ``start_price`` whole tokens
of the network, so a polkadot policy is forecast in DOT and a kusama one in KSM. The sandbox
ticks only at the blocks that matter in each sale (`simulate_schedule`); on-demand is sampled
and projected (`simulate_ondemand`). Money stays integer planck throughout; time is simulated
(``start`` plus 6 s per relay block), so monthly and rolling budgets fall where they would.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.chain.sandbox import POLKADOT_BROKER, SandboxChain
from agent.guard.budget import in_period
from agent.ledger import LIVE, Ledger
from agent.model.actions import ActionKind, Alert, AlertKind
from agent.model.policy import LoadedPolicy, PolicySet
from agent.policy import load_policies
from agent.runtime.cycle import Cycle, TickReport
from agent.runtime.demo_chain import ChainWatch
from agent.runtime.demo_record import RecordingAlerts
from agent.runtime.quiet import captured_logs
from agent.runtime.sandbox_setup import build_network, dev_signers, roles_of
from agent.runtime.simulate_ondemand import orders_per_hour, project, record
from agent.runtime.simulate_scenario import Scenario
from agent.runtime.simulate_schedule import AFTER, rotation_block, tick_points
from agent.runtime.wiring import Agent
from agent.settings import AgentSettings

LEDGER = "sqlite://"
"""The throwaway ledger: SQLite in memory, gone with the process."""
HORIZON = timedelta(days=400)
"""How far back the projection reads the ledger (longer than any rolling budget window)."""
Progress = Callable[[int, int], None]
"""Called with (sales done, sales in all) across every network."""


@dataclass(frozen=True)
class SimulateOptions:
    sales: int
    scenario: Scenario
    start_price: int = 100
    """End price of the current sale, in whole tokens of each network."""
    start: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    )
    sample_days: int = 7
    """On-demand: one real tick per this many days, projected in between."""


@dataclass(frozen=True, slots=True)
class Did:
    """One line of a row's actions: what, and the amount it involved (planck), if any."""

    what: str
    amount: int | None = None


_NOTE_TOPICS = ("purchase", "on-demand", "auto-renew", "renewal")
"""Which topic explains a quiet sale best, first to last."""


@dataclass
class Row:
    """One policy in one sale: what it did, paid and had refused, and its budgets after it."""

    sale: int
    begins: datetime
    policy: LoadedPolicy
    end_price: int
    actions: list[Did] = field(default_factory=list)
    paid: int = 0
    sibling_paid: int = 0
    refused: int = 0
    reasons: list[str] = field(default_factory=list)
    cumulative: int = 0
    budgets: list[int] = field(default_factory=list)
    """Used in each of the policy's limits when the sale ends, in limit order."""
    orders: int = 0
    """On-demand orders paid (sampled and projected) and what they cost."""
    orders_paid: int = 0
    notes: dict[str, str] = field(default_factory=dict)
    """The planner's latest wait or skip per topic: why the policy did nothing, if it did not."""

    @property
    def note(self) -> str:
        if self.actions or self.refused:
            return ""
        topic = next((t for t in _NOTE_TOPICS if t in self.notes), None)
        return f"{topic}: {self.notes[topic]}" if topic else ""

    def refuse(self, reason: str, times: int = 1, *, each: bool = False) -> None:
        """Count a refusal once per reason and sale, or ``times`` each time (``each``)."""
        known = reason in self.reasons
        if not known:
            self.reasons.append(reason)
        if each or not known:
            self.refused += times


@dataclass
class SimulateResult:
    rows: list[Row]
    policies: PolicySet
    scenario: str
    sales: int
    elapsed: float
    start_price: int
    logs: list[str] = field(default_factory=list)


@dataclass
class _Network:
    """One network's sandbox and bookkeeping while it is simulated."""

    chain: SandboxChain
    policies: list[LoadedPolicy]
    watch: ChainWatch
    relay0: int
    start: datetime
    spend: dict[str, list[tuple[datetime, int | None, int]]] = field(default_factory=dict)

    def at(self, relay: int) -> datetime:
        seconds = self.chain.config.network.relay_block_seconds
        return self.start + timedelta(seconds=(relay - self.relay0) * seconds)


def simulate(
    paths: list[Path],
    base: AgentSettings,
    options: SimulateOptions,
    progress: Progress | None = None,
) -> SimulateResult:
    started = time.monotonic()
    policies = load_policies(paths, base.network_registry())
    networks: dict[str, list[LoadedPolicy]] = {}
    for loaded in policies.policies:
        networks.setdefault(loaded.network.name, []).append(loaded)
    chains = {
        name: build_network(
            mine[0].network,
            mine,
            broker=POLKADOT_BROKER,
            end_price=options.start_price,
            price_path=options.scenario.path_for(mine[0].network.token),
        )
        for name, mine in sorted(networks.items())
    }
    logs: list[str] = []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="coretime-simulate-") as folder:
        settings = base.model_copy(
            update={
                "state_dir": Path(folder),
                "ledger_url": LEDGER,
                "dry_run": False,
                "endpoints": {},
                "webhooks": {},
                "signers": {},
            }
        )
        agent = Agent(
            settings=settings,
            policy_paths=paths,
            policies=policies,
            ports=dict(chains),
            ledger=Ledger(LEDGER, mode=LIVE),
            signers=dev_signers(policies.policies),
        )
        try:
            cycle = agent.make_cycle()
            alerts = RecordingAlerts()
            cycle.alerts = alerts
            done, total = 0, options.sales * len(chains)
            with captured_logs(logs):
                for name, chain in chains.items():
                    net = _Network(
                        chain,
                        networks[name],
                        ChainWatch(roles_of(networks[name]).bulk, last_block=chain.block_number),
                        chain.relay_number,
                        options.start,
                    )
                    for index, sale_rows in _run_network(agent, cycle, alerts, net, options):
                        rows.extend(sale_rows)
                        if index and progress:
                            done += 1
                            progress(done, total)
        finally:
            agent.close()
    rows.sort(key=lambda r: (r.policy.network.name, r.policy.name, r.sale))
    return SimulateResult(
        rows,
        policies,
        options.scenario.name,
        options.sales,
        time.monotonic() - started,
        options.start_price,
        logs,
    )


def _run_network(
    agent: Agent, cycle: Cycle, alerts: RecordingAlerts, net: _Network, options: SimulateOptions
) -> Iterator[tuple[int, list[Row]]]:
    """Sale 0 (now; rows only if anything happens) and the next ``options.sales`` sales."""
    chain, config = net.chain, POLKADOT_BROKER
    period = chain.config.limits.timeslice_period
    cycle.policies = PolicySet(tuple(net.policies))
    sample = options.sample_days * 86400 // chain.config.network.relay_block_seconds
    totals: dict[str, int] = {}
    for index in range(options.sales + 1):
        if index:
            _rotate(chain, net)
        sale = chain.world.broker.sale
        assert sale is not None
        rotation = rotation_block(sale, config, period) - config.region_length * period
        points = (
            tick_points(net.policies, sale, config, period=period, rotation=rotation, sample=sample)
            if index
            else [chain.relay_number]
        )
        begins = net.at(max(rotation, net.relay0) if index else net.relay0)
        rows = {p.name: Row(index, begins, p, sale.end_price) for p in net.policies}
        _chain_rows(net, rows)
        next_rotation = rotation_block(sale, config, period)
        for i, point in enumerate(points):
            if point > chain.relay_number:
                chain.advance_to(point)
            net.watch.collect(chain)
            _chain_rows(net, rows)
            report = cycle.tick(net.at(chain.relay_number))
            following = points[i + 1] if i + 1 < len(points) else next_rotation
            _record(agent, net, rows, report, alerts.drain(), following)
            net.watch.collect(chain)
            _chain_rows(net, rows)
        end = net.at(next_rotation - 1)
        for row in rows.values():
            _close(net, row, totals, end, sale.region_begin)
        busy = index or any(r.actions or r.refused or r.paid for r in rows.values())
        yield index, list(rows.values()) if busy else []


def _rotate(chain: SandboxChain, net: _Network) -> None:
    """Advance to just after the next rotation (the Broker rotates within a few blocks)."""
    sale = chain.world.broker.sale
    assert sale is not None and chain.world.broker.config is not None
    index = chain.world.broker.sale_index
    target = rotation_block(sale, chain.world.broker.config, chain.config.limits.timeslice_period)
    chain.advance_to(max(target, chain.relay_number + AFTER))
    while chain.world.broker.sale_index == index:
        chain.advance(AFTER)
    net.watch.collect(chain)


def _chain_rows(net: _Network, rows: dict[str, Row]) -> None:
    """Move the chain's own renewals (auto-renewals at rotation) into the rows, once each."""
    by_para = {row.policy.para_id: row for row in rows.values()}
    for item in net.watch.auto_renewed:
        row = by_para.get(item.para_id)
        if row is not None:
            row.sibling_paid += item.price
            row.actions.append(Did("chain auto-renewed (sibling paid)", item.price))
    for _, _, core in net.watch.auto_failed:
        for row in rows.values():
            if row.policy.policy.spec.auto_renew.manage:
                row.refuse(f"the chain's auto-renewal of core {core} failed")
    net.watch.auto_renewed.clear()
    net.watch.auto_failed.clear()


def _record(
    agent: Agent,
    net: _Network,
    rows: dict[str, Row],
    report: TickReport,
    raised: list[Alert],
    following: int,
) -> None:
    """Fold one tick's outcomes, refusals and (for on-demand) projections into the rows."""
    now = report.started
    done = {a.id for a, _ in report.outcomes}
    for action, outcome in report.outcomes:
        row = rows[action.policy]
        if not outcome.ok:
            row.refuse(f"{action.kind.value} failed: {outcome.error or outcome.message}")
            continue
        cost = outcome.spent + outcome.fee
        row.paid += cost
        net.spend.setdefault(action.policy, []).append((now, action.sale, cost))
        if action.kind is ActionKind.ORDER_ON_DEMAND:
            row.orders, row.orders_paid = row.orders + 1, row.orders_paid + cost
            _project(agent, net, row, now, action.sale, cost, outcome.fee, following)
        elif action.kind in (ActionKind.RENEW, ActionKind.PURCHASE, ActionKind.TOP_UP):
            row.actions.append(Did(action.kind.value, outcome.spent))
        else:
            row.actions.append(Did(action.kind.value))
    budget = {a.policy: a.message for a in raised if a.kind is AlertKind.BUDGET_REFUSED}
    for plan in report.plans.values():
        for decision in plan.decisions:
            row = rows[decision.policy]
            quiet = decision.outcome in ("wait", "skip") and decision.topic in _NOTE_TOPICS
            if quiet and not any(w in decision.reason for w in ("disabled", "not managed")):
                row.notes[decision.topic] = decision.reason
            if decision.outcome != "refuse":
                continue
            if decision.topic == "on-demand":
                orders = _interval_orders(net, row, now, following)
                row.refuse(f"on-demand: {decision.reason}", orders, each=True)
            else:
                row.refuse(f"{decision.topic}: {decision.reason}")
        for action in plan.actions:
            if action.id in done:
                continue
            row = rows[action.policy]
            reason = budget.get(action.policy, "not taken (already done or in flight)")
            if action.kind is ActionKind.ORDER_ON_DEMAND:
                row.refuse(reason, _interval_orders(net, row, now, following), each=True)
            else:
                row.refuse(reason)


def _interval_orders(net: _Network, row: Row, now: datetime, following: int) -> int:
    """Orders the policy would place from ``now`` until the next sample (at its rate)."""
    seconds = int((net.at(following) - now).total_seconds())
    block = net.chain.config.network.relay_block_seconds
    return max(1, orders_per_hour(row.policy, block) * seconds // 3600)


def _project(
    agent: Agent,
    net: _Network,
    row: Row,
    now: datetime,
    sale: int | None,
    unit: int,
    fee: int,
    following: int,
) -> None:
    """The sampled order stands for the orders until the next sample (see simulate_ondemand)."""
    view = agent.ledger.view(now=now, policies=[row.policy.name], horizon=HORIZON)
    projection = project(
        row.policy,
        list(view.entries),
        start=now,
        length=net.at(following) - now,
        sale=sale,
        unit=unit,
        block_seconds=net.chain.config.network.relay_block_seconds,
    )
    record(agent.ledger, row.policy, projection, sale=sale, unit=unit, fee=fee)
    row.paid += projection.paid
    row.orders += projection.orders
    row.orders_paid += projection.paid
    for chunk in projection.chunks:
        net.spend.setdefault(row.policy.name, []).append((chunk.at, sale, chunk.planck))
    if projection.refused:
        row.refuse(projection.reason or "over budget", projection.refused, each=True)


def _close(net: _Network, row: Row, totals: dict[str, int], end: datetime, sale: int) -> None:
    """Cumulative spend and budget use at the end of the sale; actions counted, not repeated."""
    name = row.policy.name
    totals[name] = totals.get(name, 0) + row.paid
    row.cumulative = totals[name]
    mine = net.spend.get(name, [])
    row.budgets = [
        sum(p for at, s, p in mine if at <= end and in_period(limit.period, at, s, sale, end))
        for limit in row.policy.policy.spec.budget.limits
    ]
    counts: dict[Did, int] = {}
    for did in row.actions:
        counts[did] = counts.get(did, 0) + 1
    row.actions = [d if n == 1 else Did(f"{d.what} ×{n}", d.amount) for d, n in counts.items()]
    if row.orders:
        row.actions.append(Did(f"on-demand ×{row.orders}:", row.orders_paid))
