"""Prices the sandbox charges: the lead-in curve, price adaptation, renewals and spot traffic.

Why: these are the formulas a policy's caps and budgets are checked against, so they follow the
runtime as coded (protocol.md §4.3-§4.5 and §5; where the document and the runtime differ, the
runtime wins). Every function is pure and works in integer planck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from agent.chain.sandbox.fixed import (
    FIXED64_ONE,
    fixed64_from_rational,
    fixed64_mul,
    fixed64_mul_int,
    fixed64_sub,
    fixed128_from_perbill,
    fixed128_from_rational,
    fixed128_half,
    fixed128_mul,
    fixed128_mul_int,
    perbill_mul,
)
from agent.model.chain import SaleInfo

HALF = fixed64_from_rational(1, 2)


def leadin_factor(through: int) -> int:
    """`CenterTargetPrice::leadin_factor_at`: 100 → 10 over the first half, 10 → 1 after."""
    if through <= HALF:
        return fixed64_sub(100 * FIXED64_ONE, fixed64_mul(through, 180 * FIXED64_ONE))
    return fixed64_sub(19 * FIXED64_ONE, fixed64_mul(through, 18 * FIXED64_ONE))


def sale_price(sale: SaleInfo, now: int) -> int:
    """The price of a core at relay block ``now`` (`Pallet::sale_price`)."""
    elapsed = min(max(now - sale.sale_start, 0), sale.leadin_length)
    through = fixed64_from_rational(elapsed, sale.leadin_length)
    return fixed64_mul_int(leadin_factor(through), sale.end_price)


def next_renewal_price(*, old: int, bump: int, end_price: int, price_now: int) -> int:
    """The price stored for the next renewal: ``min(price_now, max(old + bump·old, end_price))``."""
    return min(price_now, max(old + perbill_mul(bump, old), end_price))


@dataclass(frozen=True, slots=True)
class AdaptedPrices:
    end_price: int
    target_price: int


@dataclass(frozen=True, slots=True)
class SalePerformance:
    sellout_price: int | None
    end_price: int


class PriceAdapter(Protocol):
    """The runtime's `PriceAdapter`: new prices at each rotation from the last sale."""

    def adapt(self, performance: SalePerformance) -> AdaptedPrices: ...


@dataclass(frozen=True, slots=True)
class CenterTargetPrice:
    """The sellout price becomes the target; the floor is a tenth of it."""

    def adapt(self, performance: SalePerformance) -> AdaptedPrices:
        if performance.sellout_price is None:
            return AdaptedPrices(performance.end_price, 10 * performance.end_price)
        sellout = performance.sellout_price
        tenth = fixed64_mul_int(fixed64_from_rational(1, 10), sellout)
        return AdaptedPrices(tenth if tenth else sellout, sellout)


@dataclass(frozen=True, slots=True)
class MinimumPrice:
    """`MinimumPrice<MIN>` (Polkadot: 10 DOT): CenterTargetPrice with a floor on the end price."""

    minimum: int

    def adapt(self, performance: SalePerformance) -> AdaptedPrices:
        proposal = CenterTargetPrice().adapt(performance)
        end = max(proposal.end_price, self.minimum)
        return AdaptedPrices(end, max(proposal.target_price, end))


@dataclass(frozen=True, slots=True)
class FixedPrices:
    """Paseo's `MinimumPriceWithFixedTargetPrice`: the same end and target price every sale."""

    end_price: int
    target_price: int

    def adapt(self, performance: SalePerformance) -> AdaptedPrices:
        return AdaptedPrices(self.end_price, self.target_price)


@dataclass(frozen=True, slots=True)
class SpotParams:
    """Relay `scheduler_params` for on-demand (Polkadot's values by default, base fee aside)."""

    base_fee: int
    max_queue_size: int = 10_000
    target_utilization: int = 250_000_000  # perbill
    fee_variability: int = 30_000_000  # perbill
    traffic_floor: int = 10**18  # TrafficDefaultValue, FixedU128


def next_traffic(traffic: int, queue_size: int, params: SpotParams) -> int:
    """`calculate_spot_traffic` as coded: the linear term is ``d``, not ``v·d`` (protocol §5)."""
    if params.max_queue_size <= 0 or queue_size > params.max_queue_size:
        return traffic  # the runtime logs the error and keeps the old value
    ratio = fixed128_from_rational(queue_size, params.max_queue_size)
    target = fixed128_from_perbill(params.target_utilization)
    diff = abs(ratio - target)
    var_times_diff = fixed128_mul(diff, fixed128_from_perbill(params.fee_variability))
    half_square = fixed128_half(fixed128_mul(var_times_diff, var_times_diff))
    if ratio >= target:
        new = fixed128_mul(diff + half_square + 10**18, traffic)
    else:
        new = fixed128_mul(max(diff - half_square, 0), traffic)
    return max(new, params.traffic_floor)


def spot_price(traffic: int, base_fee: int) -> int:
    return fixed128_mul_int(traffic, base_fee)


class PricePath(Protocol):
    """A scenario's market: the end price of sale ``index`` (1 = the first rotation)."""

    def end_price(self, index: int, first_end: int, previous_end: int) -> int: ...
