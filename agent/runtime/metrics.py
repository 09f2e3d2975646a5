"""Prometheus metrics of the agent, on a registry of its own (so tests can build many agents).

Names follow cert-manager's habit for expiring things: region end and next renewal deadline are
exported as timestamps-in-blocks, prices and balances in planck (integers as floats are exact up
to 2^53 planck, about 900k DOT; larger values are clamped and flagged by `coretime_value_clamped`).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_MAX_EXACT = 2**53


def _exact(value: int) -> float:
    return float(min(value, _MAX_EXACT))


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        para = ["policy", "network", "para_id"]
        self.region_end = Gauge(
            "coretime_region_end_timeslice",
            "Timeslice at which the para's bulk coretime ends",
            para,
            registry=r,
        )
        self.renewal_deadline = Gauge(
            "coretime_renewal_deadline_relay_block",
            "Relay block by which the policy's renewal deadline falls",
            para,
            registry=r,
        )
        self.renewal_price = Gauge(
            "coretime_renewal_price_planck",
            "Price the next renew of the para's core charges",
            para,
            registry=r,
        )
        self.renewal_state = Gauge(
            "coretime_renewal_state",
            "Renewal state: 1 for the current state label",
            [*para, "state"],
            registry=r,
        )
        self.balance = Gauge(
            "coretime_balance_planck",
            "Free balance of accounts the agent watches",
            ["network", "account", "role"],
            registry=r,
        )
        self.spot_price = Gauge(
            "coretime_on_demand_spot_price_planck",
            "Relay on-demand spot price",
            ["network"],
            registry=r,
        )
        self.budget_spent = Gauge(
            "coretime_budget_used_planck",
            "Spent plus reserved in the current budget period",
            ["policy", "period"],
            registry=r,
        )
        self.budget_limit = Gauge(
            "coretime_budget_limit_planck",
            "Budget limit of the period",
            ["policy", "period"],
            registry=r,
        )
        self.actions = Counter(
            "coretime_actions_total",
            "Actions by kind and outcome",
            ["policy", "kind", "outcome"],
            registry=r,
        )
        self.alerts = Counter(
            "coretime_alerts_total", "Alerts raised", ["policy", "kind"], registry=r
        )
        self.tick_seconds = Histogram(
            "coretime_tick_duration_seconds",
            "Duration of one tick",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
            registry=r,
        )
        self.ticks = Counter("coretime_ticks_total", "Ticks by result", ["result"], registry=r)
        self.head_lag = Gauge(
            "coretime_head_lag_blocks",
            "Finalized head minus the block the last tick read",
            ["network"],
            registry=r,
        )
        self.last_block = Gauge(
            "coretime_last_tick_block",
            "Coretime block number the last tick read",
            ["network"],
            registry=r,
        )
        self.healthy = Gauge(
            "coretime_agent_healthy", "1 when no degraded condition is open", registry=r
        )
        self.leader = Gauge(
            "coretime_agent_leader", "1 while this replica holds the leader lock", registry=r
        )
        self.policies = Gauge("coretime_policies_loaded", "Policies in the running set", registry=r)

    @staticmethod
    def planck(value: int) -> float:
        return _exact(value)
