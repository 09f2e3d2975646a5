"""Rules that span several fields or several policies, each naming the exact field at fault.

Why: the model checks each value alone; a policy can still contradict itself (a deadline before
the start of renewals, a purchase with no price cap, a spot price cap no budget could ever pay)
or collide with another policy (two policies with one name, two policies for one para). Those
are errors a person must fix before the agent may run, so CI catches them with `validate`.

Pure: findings are data (a field path in YAML spelling, a message, a hint); the loader turns the
path into ``file:line:col``. A single action's cap above the smallest budget limit is an error,
not a warning: the guard reserves an action's ``max_cost`` (up to its cap) against every limit, so
above the limit the cap is a promise the budget will not keep, and an on-demand order (reserved at
its full ``maxSpotPrice``) could never be placed at all. One simple rule fails CI on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from agent.model.money import Amount, format_amount, format_percent
from agent.model.policy import (
    BudgetLimit,
    BudgetPeriod,
    CoretimePolicy,
    PolicySpec,
    PurchaseWhen,
    SubmitPath,
)
from agent.policy.positions import Loc, format_path


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule, at one field (a path of YAML keys and list indices)."""

    path: Loc
    message: str
    hint: str | None = None


def check_policy(policy: CoretimePolicy) -> list[Finding]:
    """Every cross-field rule of one valid policy."""
    spec = policy.spec
    return [
        *_renewal_window(spec),
        *_purchase(spec),
        *_on_demand(spec),
        *_auto_renew(spec),
        *_budget_periods(spec),
        *_caps_fit_budget(spec),
    ]


def _renewal_window(spec: PolicySpec) -> list[Finding]:
    renewal = spec.renewal
    if renewal.deadline > renewal.start_after:
        return []
    # Point at the field the author wrote: a lone startAfter: 90% is wrong, not the default.
    field = "deadline" if "deadline" in renewal.model_fields_set else "startAfter"
    return [
        Finding(
            ("spec", "renewal", field),
            f"deadline {format_percent(renewal.deadline)} must be later than "
            f"startAfter {format_percent(renewal.start_after)}",
            hint="renewing starts at startAfter and alerts at the deadline, both shares of the interlude",
        )
    ]


def _purchase(spec: PolicySpec) -> list[Finding]:
    purchase = spec.purchase
    out: list[Finding] = []
    if purchase.enabled and purchase.max_price is None:
        out.append(
            Finding(
                ("spec", "purchase", "maxPrice"),
                "missing; a purchase needs a price cap when purchase.enabled is true",
                hint=f"the most to pay for one core, e.g. maxPrice: {_example(purchase.at_or_below)}",
            )
        )
    if purchase.when is PurchaseWhen.AT_OR_BELOW and purchase.at_or_below is None:
        out.append(
            Finding(
                ("spec", "purchase", "atOrBelow"),
                "missing; required when purchase.when is at-or-below",
                hint="the price at or below which to buy, e.g. atOrBelow: "
                + _example(purchase.max_price),
            )
        )
    if (
        purchase.at_or_below is not None
        and purchase.max_price is not None
        and purchase.at_or_below.planck > purchase.max_price.planck
    ):
        out.append(
            Finding(
                ("spec", "purchase", "atOrBelow"),
                f"{purchase.at_or_below} is above maxPrice {purchase.max_price}",
                hint="the cap would stop the purchase first; lower atOrBelow or raise maxPrice",
            )
        )
    return out


def _on_demand(spec: PolicySpec) -> list[Finding]:
    on_demand = spec.on_demand
    out: list[Finding] = []
    if not on_demand.enabled:
        return out
    if on_demand.max_spot_price is None:
        out.append(
            Finding(
                ("spec", "onDemand", "maxSpotPrice"),
                "missing; an on-demand order needs a price cap when onDemand.enabled is true",
                hint="the most one order may cost, e.g. maxSpotPrice: '0.5 DOT'",
            )
        )
    trigger = on_demand.trigger
    if trigger.pending_extrinsics is None and trigger.max_idle_relay_blocks is None:
        out.append(
            Finding(
                ("spec", "onDemand", "trigger"),
                "no trigger set, so no order would ever be placed",
                hint="set trigger.pendingExtrinsics, trigger.maxIdleRelayBlocks or both",
            )
        )
    return out


def _auto_renew(spec: PolicySpec) -> list[Finding]:
    auto = spec.auto_renew
    if auto.manage and auto.submit is SubmitPath.SUDO and not (auto.signer or spec.signer):
        return [
            Finding(
                ("spec", "autoRenew", "signer"),
                "missing; submit: sudo needs the signer of the parachain's sudo key",
                hint="set autoRenew.signer or spec.signer, or use submit: export",
            )
        ]
    return []


def _budget_periods(spec: PolicySpec) -> list[Finding]:
    first: dict[BudgetPeriod, int] = {}
    out: list[Finding] = []
    for i, limit in enumerate(spec.budget.limits):
        if limit.period in first:
            j = first[limit.period]
            out.append(
                Finding(
                    ("spec", "budget", "limits", i, "period"),
                    f"this period ({limit.period}) already has a limit at spec.budget.limits[{j}]",
                    hint="one limit per period; keep the smaller amount",
                )
            )
        else:
            first[limit.period] = i
    return out


def _caps_fit_budget(spec: PolicySpec) -> list[Finding]:
    limits = list(enumerate(spec.budget.limits))
    if not limits:
        return []
    index, smallest = min(limits, key=lambda item: item[1].amount.planck)
    caps: list[tuple[Loc, str, int]] = []  # (field, what it is, planck the action may spend)
    renewal, purchase, on_demand = spec.renewal, spec.purchase, spec.on_demand
    if renewal.enabled and renewal.max_price is not None:
        caps.append((("spec", "renewal", "maxPrice"), "maxPrice", renewal.max_price.planck))
    if purchase.enabled and purchase.max_price is not None:
        total = purchase.max_price.planck * purchase.cores
        what = "maxPrice"
        if purchase.cores > 1:
            what = f"maxPrice {purchase.max_price} × {purchase.cores} cores ="
        caps.append((("spec", "purchase", "maxPrice"), what, total))
    if on_demand.enabled and on_demand.max_spot_price is not None:
        path: Loc = ("spec", "onDemand", "maxSpotPrice")
        caps.append((path, "maxSpotPrice", on_demand.max_spot_price.planck))
    funding = spec.auto_renew.funding
    if funding.top_up and funding.max_top_up is not None:
        path = ("spec", "autoRenew", "funding", "maxTopUp")
        caps.append((path, "maxTopUp", funding.max_top_up.planck))
    return [
        _over_budget(path, what, planck, smallest, index)
        for path, what, planck in caps
        if planck > smallest.amount.planck
    ]


def _over_budget(path: Loc, what: str, planck: int, limit: BudgetLimit, index: int) -> Finding:
    where = format_path(("spec", "budget", "limits", index))
    return Finding(
        path,
        f"{what} {format_amount(planck, limit.amount.token)} is above the smallest budget "
        f"limit, {limit.amount} per {limit.period} ({where})",
        hint="the budget would refuse such an action; lower the cap or raise the limit",
    )


def _example(amount: Amount | None) -> str:
    return f"'{amount}'" if amount is not None else "'200 DOT'"


# -- across policies ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placed:
    """A valid policy, and how to name where one of its fields is (``b.yaml:3``)."""

    policy: CoretimePolicy
    where: Callable[[Loc], str]


def check_across(placed: Sequence[Placed]) -> list[tuple[int, Finding]]:
    """Names are unique and each para on each network has one policy; every party is told."""
    out: list[tuple[int, Finding]] = []
    by_name: dict[str, list[int]] = defaultdict(list)
    by_para: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, item in enumerate(placed):
        by_name[item.policy.metadata.name].append(i)
        by_para[(item.policy.spec.network, item.policy.spec.para_id)].append(i)
    name_path: Loc = ("metadata", "name")
    for name, group in by_name.items():
        for i in group if len(group) > 1 else ():
            others = _join(placed[j].where(name_path) for j in group if j != i)
            out.append(
                (
                    i,
                    Finding(
                        name_path,
                        f"'{name}' is also defined in {others}",
                        hint="names are unique across all policies; rename one",
                    ),
                )
            )
    para_path: Loc = ("spec", "paraId")
    for (network, para), group in by_para.items():
        for i in group if len(group) > 1 else ():
            others = _join(
                f"'{placed[j].policy.metadata.name}' ({placed[j].where(para_path)})"
                for j in group
                if j != i
            )
            out.append(
                (
                    i,
                    Finding(
                        para_path,
                        f"para {para} on {network} is also managed by {others}",
                        hint="one policy per para and network; merge them into one",
                    ),
                )
            )
    return out


def _join(parts: Iterable[str]) -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
