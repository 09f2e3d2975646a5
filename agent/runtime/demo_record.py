"""What the demo saw: actions and their outcomes, refusals, alerts, spend, and the verdict.

Why: the live view and the closing summary read one record, filled from the daemon's own
reports (`TickReport`, the alerts it raised) and from the chain watch, never from a second
decision path. The verdict names the four things the demo exists to show: a renewal, an
on-chain auto-renewal after the agent enabled it, on-demand orders, and a refusal (over a cap
or a budget); plus the spike's fallback, on-demand orders for the para whose renewal the cap
refused.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from agent.guard.budget import in_period
from agent.model.actions import ActionKind, Alert, AlertKind
from agent.model.outcome import OutcomeStatus
from agent.model.policy import LoadedPolicy, PolicySet
from agent.runtime.alerts import AlertSink
from agent.runtime.cycle import TickReport
from agent.runtime.demo_chain import ChainWatch

OVER_CAP = frozenset(
    {AlertKind.RENEWAL_OVER_CAP, AlertKind.PURCHASE_OVER_CAP, AlertKind.SPOT_OVER_CAP}
)


@dataclass
class RecordingAlerts(AlertSink):
    """The daemon's alert sink, also keeping every alert of the tick (before de-duplication)."""

    raised: list[Alert] = field(default_factory=list)

    def raise_alert(self, alert: Alert, policy: LoadedPolicy | None, now: datetime) -> None:
        self.raised.append(alert)
        super().raise_alert(alert, policy, now)

    def drain(self) -> list[Alert]:
        taken, self.raised = self.raised, []
        return taken


@dataclass(frozen=True, slots=True)
class ActionLine:
    relay_block: int
    sale: int
    policy: str
    kind: str
    status: str
    paid: int
    """Price plus fee, in planck, as the ledger records it."""
    detail: str


@dataclass
class Refusal:
    policy: str
    what: str
    category: str  # "over-cap" or "over-budget"
    reason: str
    count: int = 1
    first_relay: int = 0


@dataclass(frozen=True, slots=True)
class SaleStatus:
    relay_block: int
    sale: int
    phase: str
    price_now: int
    end_price: int
    spot_price: int
    at: datetime
    region_begin: int | None
    """The current sale's key for 'sale' budgets."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class DemoRecorder:
    """Filled from the daemon's thread (`on_tick`) and the clock's (`on_status`); read by views."""

    policies: PolicySet
    watch: ChainWatch
    actions: list[ActionLine] = field(default_factory=list)
    refusals: dict[tuple[str, str, str], Refusal] = field(default_factory=dict)
    alerts: list[tuple[int, Alert]] = field(default_factory=list)
    status: SaleStatus | None = None
    ticks: int = 0
    spend: list[tuple[str, datetime, int | None, int]] = field(default_factory=list)
    """(policy, at, sale, planck) of every closed action, for the budget panel."""
    logs: list[str] = field(default_factory=list)
    """The daemon's warnings and errors (kept out of the live view)."""
    lock: threading.RLock = field(default_factory=threading.RLock)

    def on_status(self, status: SaleStatus) -> None:
        with self.lock:
            self.status = status

    def on_tick(self, report: TickReport, alerts: list[Alert]) -> None:
        relay = self.status.relay_block if self.status else 0
        sale = self.status.sale if self.status else 0
        with self.lock:
            self.ticks += 1
            for action, outcome in report.outcomes:
                paid = outcome.spent + outcome.fee
                detail = str(outcome.error) if outcome.error else outcome.message
                self.actions.append(
                    ActionLine(
                        relay,
                        sale,
                        action.policy,
                        action.kind.value,
                        outcome.status.value,
                        paid,
                        detail or action.reason,
                    )
                )
                self.spend.append((action.policy, report.started, action.sale, paid))
            for alert in alerts:
                self.alerts.append((relay, alert))
                if alert.kind in OVER_CAP:
                    self._refused(alert, "over-cap", relay)
                elif alert.kind is AlertKind.BUDGET_REFUSED:
                    self._refused(alert, "over-budget", relay)
            del self.alerts[:-200]

    def _refused(self, alert: Alert, category: str, relay: int) -> None:
        what = alert.message.split(" refused:", 1)[0] if category == "over-budget" else alert.kind
        key = (alert.policy, str(what), category)
        known = self.refusals.get(key)
        if known is None:
            self.refusals[key] = Refusal(
                alert.policy, str(what), category, alert.message, first_relay=relay
            )
        else:
            known.count += 1
            known.reason = alert.message

    # -- reading ------------------------------------------------------------------------------
    def budget_use(self, loaded: LoadedPolicy, now: datetime, sale: int | None) -> list[int]:
        """Planck counted against each of the policy's limits now (closed actions only)."""
        with self.lock:
            mine = [(at, s, p) for name, at, s, p in self.spend if name == loaded.name]
        return [
            sum(p for at, s, p in mine if in_period(limit.period, at, s, sale, now))
            for limit in loaded.policy.spec.budget.limits
        ]

    def checks(self) -> list[Check]:
        with self.lock:
            done = [a for a in self.actions if a.status == OutcomeStatus.INCLUDED.value]
            refusals = list(self.refusals.values())
        renewals = [a for a in done if a.kind == ActionKind.RENEW.value]
        enabled = [a for a in done if a.kind == ActionKind.ENABLE_AUTO_RENEW.value]
        first_enable = min((a.relay_block for a in enabled), default=None)
        auto = [
            r
            for r in self.watch.auto_renewed
            if first_enable is not None and r.relay_block > first_enable
        ]
        orders = [a for a in done if a.kind == ActionKind.ORDER_ON_DEMAND.value]
        capped = {r.policy: r.first_relay for r in refusals if r.what == AlertKind.RENEWAL_OVER_CAP}
        fallback = [o for o in orders if o.policy in capped and o.relay_block > capped[o.policy]]
        return [
            Check("renewal", bool(renewals), f"{len(renewals)} renewal(s) included"),
            Check(
                "auto-renewal",
                bool(auto),
                f"{len(enabled)} enable-auto-renew sent, {len(auto)} renewal(s) by the chain "
                "at rotation",
            ),
            Check("on-demand", bool(orders), f"{len(orders)} on-demand order(s) included"),
            Check(
                "refused",
                bool(refusals),
                f"{sum(r.count for r in refusals if r.category == 'over-cap')} over cap, "
                f"{sum(r.count for r in refusals if r.category == 'over-budget')} over budget",
            ),
            Check(
                "fallback",
                bool(fallback),
                f"{len(fallback)} order(s) for the para whose renewal the cap refused",
            ),
        ]
