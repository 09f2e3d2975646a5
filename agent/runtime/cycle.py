"""One tick: snapshot → plan → guard → intent → (render) → preflight → submit → outcome.

Why: this is the only place the rooms meet. Each network is read once, pinned to one block; each
action is isolated (its failure is recorded against it and the loop moves on); an intent is
durable in the ledger before anything is signed; one summary line is logged per tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.errors import AgentError, ChainError, LedgerError
from agent.guard import admit, check
from agent.ledger import DEFAULT_HORIZON, BudgetRefused, DuplicateAction, Ledger
from agent.model.accounts import sibling_account
from agent.model.actions import Action, Alert, Plan
from agent.model.chain import ChainSnapshot
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.policy import LoadedPolicy, PolicySet
from agent.model.port import ChainPort, SignerSpec, SnapshotRequest
from agent.planner import plan as make_plan
from agent.runtime import failpoints
from agent.runtime.alerts import AlertSink
from agent.runtime.health import Health
from agent.runtime.logs import action_logger
from agent.runtime.metrics import Metrics
from agent.runtime.reconcile import reconcile_open_intents

log = logging.getLogger(__name__)

Executor = Callable[[Action, LoadedPolicy, ChainPort, SignerSpec], SubmissionOutcome]
"""Sends one approved action: the default submits its call; auto-renew goes through XCM."""


@dataclass
class TickReport:
    started: datetime
    networks: int = 0
    policies: int = 0
    planned: int = 0
    submitted: int = 0
    succeeded: int = 0
    failed: int = 0
    refused: int = 0
    alerts: int = 0
    errors: list[str] = field(default_factory=list)
    chain_errors: int = 0
    blocks: dict[str, int] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    outcomes: list[tuple[Action, SubmissionOutcome]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.errors

    def summary(self) -> str:
        blocks = " ".join(f"{n}#{b}" for n, b in sorted(self.blocks.items())) or "-"
        return (
            f"tick at {blocks}: policies={self.policies} planned={self.planned} "
            f"submitted={self.submitted} ok={self.succeeded} failed={self.failed} "
            f"refused={self.refused} alerts={self.alerts} errors={len(self.errors)}"
        )


@dataclass
class Cycle:
    """Holds what a tick needs; `policies` is swapped whole by a valid reload."""

    policies: PolicySet
    ports: Mapping[str, ChainPort]
    ledger: Ledger
    signers: Mapping[str, SignerSpec]
    health: Health
    metrics: Metrics
    alerts: AlertSink
    execute: Executor
    reconciled: set[str] = field(default_factory=set)
    should_stop: Callable[[], bool] = lambda: False

    def tick(self, now: datetime) -> TickReport:
        report = TickReport(started=now)
        t0 = time.perf_counter()
        by_network: dict[str, list[LoadedPolicy]] = {}
        for item in self.policies.policies:
            by_network.setdefault(item.network.name, []).append(item)
        report.policies = len(self.policies.policies)
        for network, policies in sorted(by_network.items()):
            report.networks += 1
            try:
                self._tick_network(network, policies, now, report)
                self.health.clear(f"chain:{network}")
            except ChainError as exc:
                self.health.degrade(f"chain:{network}", exc.one_line())
                report.errors.append(exc.one_line())
                report.chain_errors += 1
                log.error("network %s skipped this tick: %s", network, exc.one_line())
            except LedgerError as exc:
                self.health.degrade("ledger", exc.one_line())
                report.errors.append(exc.one_line())
                log.error("ledger error, network %s skipped: %s", network, exc.one_line())
        elapsed = time.perf_counter() - t0
        self.metrics.tick_seconds.observe(elapsed)
        self.metrics.ticks.labels("ok" if report.ok else "failed").inc()
        self.health.ticks += 1
        self.health.last_tick_at, self.health.last_tick_ok = now, report.ok
        if report.ok:
            self.health.clear("tick")
        else:
            self.health.degrade("tick", report.summary())
        log.info("%s in %.2fs", report.summary(), elapsed)
        return report

    # -- one network ------------------------------------------------------------------------
    def _tick_network(
        self, network: str, policies: list[LoadedPolicy], now: datetime, report: TickReport
    ) -> None:
        port = self.ports.get(network)
        if port is None:
            raise ChainError(
                f"no endpoints configured for network '{network}'",
                hint=f"set endpoints.{network}.coretime in settings",
            )
        payers = {name: port.account_of(spec) for name, spec in self._signers_of(policies).items()}
        snapshot = port.snapshot(snapshot_request(policies, payers))
        report.blocks[network] = snapshot.coretime_block.number
        self.metrics.last_block.labels(network).set(snapshot.coretime_block.number)
        if network not in self.reconciled:
            closed = reconcile_open_intents(self.ledger, snapshot, now)
            for action_id, status in closed:
                log.warning("reconciled open intent %s as %s", action_id, status.value)
            self.reconciled.add(network)
        view = self.ledger.view(
            now=now, policies=[p.name for p in policies], horizon=horizon(policies)
        )
        plan = make_plan(policies, snapshot, view, now, payers)
        result = check(plan, policies, view, now)
        report.plans[network] = plan
        report.planned += len(plan.actions)
        report.refused += len(result.refused)
        for action, reason in result.refused:
            log.info("refused %s for %s: %s", action.kind.value, action.policy, reason)
            self.metrics.actions.labels(action.policy, action.kind.value, "refused").inc()
        self._raise_alerts((*plan.alerts, *result.alerts), policies, now, report)
        self._observe(snapshot, policies, payers)
        by_name = {p.name: p for p in policies}
        for done, action in enumerate(result.approved):
            if self.should_stop():
                left = len(result.approved) - done
                log.info("stopping: %d approved action(s) left for the next run", left)
                break
            self._run_action(action, by_name[action.policy], port, now, report)

    def _signers_of(self, policies: list[LoadedPolicy]) -> dict[str, SignerSpec]:
        wanted = {p.policy.spec.signer for p in policies}
        missing = sorted(wanted - set(self.signers))
        if missing:
            raise ChainError(
                f"no secret for signer(s) {', '.join(missing)}",
                hint="set CORETIME_AGENT_SIGNER_<NAME> or signers.<name>.secret",
            )
        return {name: self.signers[name] for name in sorted(wanted)}

    def _run_action(
        self,
        action: Action,
        policy: LoadedPolicy,
        port: ChainPort,
        now: datetime,
        report: TickReport,
    ) -> None:
        alog = action_logger(log, policy=action.policy, action_id=action.id, kind=action.kind.value)
        try:
            self.ledger.record_intent(
                action,
                now=now,
                digest=policy.digest,
                admit=lambda view: admit(action, policy, view, now),
            )
        except (BudgetRefused, DuplicateAction) as exc:
            report.refused += 1
            alog.info("not taken: %s", exc.one_line())
            self.metrics.actions.labels(action.policy, action.kind.value, "refused").inc()
            return
        failpoints.hit("after-intent")
        report.submitted += 1
        signer = self.signers[action.signer]
        try:
            outcome = self.execute(action, policy, port, signer)
        except AgentError as exc:
            outcome = SubmissionOutcome(OutcomeStatus.FAILED, message=exc.one_line())
        except Exception as exc:  # one action must never stop the others
            alog.exception("action crashed")
            outcome = SubmissionOutcome(
                OutcomeStatus.UNKNOWN, message=f"{type(exc).__name__}: {exc}"
            )
        failpoints.hit("after-submit")
        if outcome.extrinsic_hash:
            self.ledger.mark_submitted(action.id, extrinsic_hash=outcome.extrinsic_hash, now=now)
        failpoints.hit("before-outcome")
        self.ledger.record_outcome(action.id, outcome, now=now)
        report.outcomes.append((action, outcome))
        self.metrics.actions.labels(action.policy, action.kind.value, outcome.status.value).inc()
        if outcome.ok:
            report.succeeded += 1
            alog.info("%s %s: %s", action.kind.value, outcome.status.value, action.reason)
            self.alerts.action_done(action, policy, outcome, now)
        else:
            report.failed += 1
            detail = str(outcome.error) if outcome.error else outcome.message
            alog.error("%s failed (%s): %s", action.kind.value, outcome.status.value, detail)
            self.alerts.action_failed(action, policy, outcome, now)

    def _raise_alerts(
        self,
        alerts: tuple[Alert, ...],
        policies: list[LoadedPolicy],
        now: datetime,
        report: TickReport,
    ) -> None:
        by_name = {p.name: p for p in policies}
        for alert in alerts:
            report.alerts += 1
            self.metrics.alerts.labels(alert.policy, alert.kind.value).inc()
            self.alerts.raise_alert(alert, by_name.get(alert.policy), now)

    def _observe(
        self, snapshot: ChainSnapshot, policies: list[LoadedPolicy], payers: Mapping[str, str]
    ) -> None:
        m, net = self.metrics, snapshot.network
        if snapshot.on_demand is not None:
            m.spot_price.labels(net).set(m.planck(snapshot.on_demand.spot_price))
        for name, account in payers.items():
            m.balance.labels(net, account, f"payer:{name}").set(
                m.planck(snapshot.balances.get(account, 0))
            )
        for p in policies:
            sib = sibling_account(p.para_id)
            m.balance.labels(net, sib, f"sibling:{p.para_id}").set(
                m.planck(snapshot.balances.get(sib, 0))
            )
            labels = (p.name, net, str(p.para_id))
            rights = [r for r in snapshot.potential_renewals if p.para_id in r.tasks]
            if rights:
                latest = max(rights, key=lambda r: r.when)
                m.region_end.labels(*labels).set(latest.when)
                m.renewal_price.labels(*labels).set(m.planck(latest.price))
            state = _renewal_state(snapshot, p.para_id)
            for s in ("renewed", "renewable", "auto-renew", "none"):
                m.renewal_state.labels(*labels, s).set(1 if s == state else 0)


def snapshot_request(
    policies: Sequence[LoadedPolicy], payers: Mapping[str, str]
) -> SnapshotRequest:
    """What a tick reads for these policies: their paras, payers and sibling accounts."""
    paras = sorted({p.para_id for p in policies})
    payer_ids = sorted(set(payers.values()))
    return SnapshotRequest(
        para_ids=paras,
        accounts=sorted(set(payer_ids) | {sibling_account(p) for p in paras}),
        relay_accounts=payer_ids,
        region_owners=payer_ids,
    )


def horizon(policies: list[LoadedPolicy]) -> timedelta:
    """How far back the ledger view must read: the longest rolling window, at least 35 days."""
    longest = max(
        (lim.period.seconds for p in policies for lim in p.policy.spec.budget.limits), default=0
    )
    return max(DEFAULT_HORIZON, timedelta(seconds=longest + 3600))


def _renewal_state(snapshot: ChainSnapshot, para_id: int) -> str:
    if any(a.task == para_id for a in snapshot.auto_renewals):
        return "auto-renew"
    sale = snapshot.sale
    rights = [r for r in snapshot.potential_renewals if para_id in r.tasks]
    if sale and any(r.when == sale.region_end for r in rights):
        return "renewed"
    if sale and any(r.when == sale.region_begin for r in rights):
        return "renewable"
    return "none"
