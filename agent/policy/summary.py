"""One short line per policy: what it makes the agent do, and for how much at most.

Why: `validate` in CI and `plan` at the terminal should show at a glance that a policy means
what its author thinks (``renewal≤150 DOT, auto-renew (sudo), budget 400 DOT/sale``). A cap
written as bare planck by mistake (``maxPrice: 150``) shows up here as ``0.000000015 DOT``.
"""

from __future__ import annotations

from agent.model.money import format_percent
from agent.model.policy import CoretimePolicy, OnDemandOnly, PolicySpec, PurchaseWhen


def describe(policy: CoretimePolicy) -> str:
    """``renewal≤150 DOT +10%, auto-renew (sudo), budget 400 DOT/sale`` or ``monitor only``."""
    spec = policy.spec
    parts = [*_renewal(spec), *_auto_renew(spec), *_purchase(spec), *_on_demand(spec)]
    if not parts:
        parts.append("monitor only")
    limits = spec.budget.limits
    if limits:
        parts.append("budget " + ", ".join(f"{lim.amount}/{lim.period}" for lim in limits))
    else:
        parts.append("no budget limit")
    return ", ".join(parts)


def _renewal(spec: PolicySpec) -> list[str]:
    renewal = spec.renewal
    if not renewal.enabled:
        return []
    text = f"renewal≤{renewal.max_price}" if renewal.max_price is not None else "renewal"
    if renewal.max_increase is not None:
        text += f" +≤{format_percent(renewal.max_increase)}"
    return [text]


def _auto_renew(spec: PolicySpec) -> list[str]:
    auto = spec.auto_renew
    if not auto.manage:
        return []
    return [f"auto-renew {'on' if auto.desired else 'off'} ({auto.submit.value})"]


def _purchase(spec: PolicySpec) -> list[str]:
    purchase = spec.purchase
    if not purchase.enabled:
        return []
    cores = "1 core" if purchase.cores == 1 else f"{purchase.cores} cores"
    when = purchase.when.value
    if purchase.when is PurchaseWhen.AT_OR_BELOW:
        when = f"at≤{purchase.at_or_below}"
    return [f"buy {cores}≤{purchase.max_price} {when}"]


def _on_demand(spec: PolicySpec) -> list[str]:
    on_demand = spec.on_demand
    if not on_demand.enabled:
        return []
    only = "" if on_demand.only is OnDemandOnly.ALWAYS else " without bulk"
    return [f"on-demand≤{on_demand.max_spot_price}{only}"]
