"""When `simulate` ticks within one sale: only at the blocks where a policy can decide something.

Why: a 28-day sale is 403,200 relay blocks; ticking at each would take hours. Decisions only
change at a few points: just after the rotation (auto-renewals done, renewals open), when each
policy's ``startAfter`` and ``deadline`` fall in the interlude, where the lead-in price crosses
a purchase threshold, and in the fixed-price phase where a bought region must be assigned.
On-demand policies are sampled every ``sample`` relay blocks in between (see
`agent.runtime.simulate_ondemand` for how a sample stands for the orders around it).
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.model.chain import BrokerConfig, SaleInfo
from agent.model.money import PERBILL
from agent.model.policy import LoadedPolicy, PurchaseWhen
from agent.planner import PriceCurve, sale_price

AFTER = 2
"""Relay blocks past a point: the tick must see the state once the point has passed."""


def rotation_block(sale: SaleInfo, config: BrokerConfig, period: int) -> int:
    """About where the Broker opens the next sale (relay block)."""
    return sale.region_begin * period - config.advance_notice


def crossing(sale: SaleInfo, threshold: int) -> int | None:
    """The first relay block of the lead-in at which the price is at or below ``threshold``."""
    low, high = sale.sale_start + 1, sale.sale_start + sale.leadin_length
    if sale_price(sale, high, PriceCurve.CENTER_TARGET) > threshold:
        return None
    while low < high:
        mid = (low + high) // 2
        if sale_price(sale, mid, PriceCurve.CENTER_TARGET) <= threshold:
            high = mid
        else:
            low = mid + 1
    return low


def _purchase_point(loaded: LoadedPolicy, sale: SaleInfo) -> int:
    """Where the policy's `purchase.when` first allows buying (the fixed price, at the latest)."""
    spec = loaded.policy.spec.purchase
    fixed = sale.sale_start + sale.leadin_length + AFTER
    if spec.when is PurchaseWhen.ANY_TIME:
        return sale.sale_start + AFTER
    if spec.when is PurchaseWhen.BELOW_TARGET:
        return sale.sale_start + sale.leadin_length // 2 + AFTER
    if spec.when is PurchaseWhen.AT_OR_BELOW and spec.at_or_below is not None:
        found = crossing(sale, spec.at_or_below.planck)
        return fixed if found is None else found + AFTER
    return fixed


def _share(length: int, perbill: int) -> int:
    return -(-length * perbill // PERBILL)


def tick_points(
    policies: Sequence[LoadedPolicy],
    sale: SaleInfo,
    config: BrokerConfig,
    *,
    period: int,
    rotation: int,
    sample: int,
) -> list[int]:
    """Relay blocks to tick at in the sale opened at ``rotation``, in order."""
    end = rotation_block(sale, config, period)
    interlude = config.interlude_length
    points = {rotation + AFTER}
    for loaded in policies:
        spec = loaded.policy.spec
        if spec.renewal.enabled:
            points.add(rotation + _share(interlude, spec.renewal.start_after) + AFTER)
            points.add(rotation + _share(interlude, spec.renewal.deadline) + AFTER)
        if spec.auto_renew.manage:
            points.add(sale.sale_start + AFTER)
        if spec.purchase.enabled:
            points.add(_purchase_point(loaded, sale))
            share = spec.purchase.assign_before
            points.add(
                rotation + _share(end - rotation, share) + AFTER
            )  # the planner's assign time
        if spec.on_demand.enabled and sample > 0:
            points |= set(range(rotation + AFTER, end, sample))
    return sorted(p for p in points if rotation < p < end - AFTER)
