"""Sale arithmetic: phases, timing and prices of one bulk sale, as the Broker computes them.

Why: every renewal and purchase decision hangs on "where are we in the sale and what does a core
cost at this block". The Broker measures `sale_start`, the lead-in and the interlude in relay
blocks since storage version 4 and in Coretime-chain blocks before (`BlockUnits`);
`ChainSnapshot.now_in_sale_units` picks the matching clock. Regions, advance notice and
rotation are always relay-based (timeslices of `TimeslicePeriod` relay blocks).

Phases of one sale (``T0`` = the rotation that opened it, ``sale_start = T0 + interlude``):

- interlude ``[T0, sale_start]``: renewals only. `purchase` fails with `TooEarly` while
  ``now <= sale_start``, so the block ``sale_start`` itself still counts as interlude here;
- lead-in ``(sale_start, sale_start + leadin)``: the price falls;
- fixed price from ``sale_start + leadin`` until the next rotation, at relay block
  ``region_begin · P − advance_notice``.

Price curves (`leadin_factor_at` of the runtime's `PriceAdapter`): `CenterTargetPrice` and
`MinimumPrice` use F(x) = 100 − 180x for x ≤ ½ and 19 − 18x above, so the price starts at
100 × end_price, crosses the target (10 × end_price) at x = ½ and ends at end_price. The
Gen-1 `Linear` adapter uses F(x) = 2 − x on the then `price` field. The adapter is runtime
configuration, not metadata: `curve_for` infers it from the SaleInfo field name (the rename
`price` → `end_price` shipped together with CenterTargetPrice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from agent.model.chain import BlockUnits, Capabilities, ChainSnapshot, SaleInfo
from agent.planner.fixed import (
    FIXED_ONE,
    U128_MAX,
    fixed_from_int,
    fixed_from_rational,
    fixed_mul,
    fixed_mul_int,
    fixed_sub,
    perbill_mul,
    share_perbill,
)


class Phase(StrEnum):
    NO_SALE = "no-sale"
    INTERLUDE = "interlude"
    LEADIN = "lead-in"
    FIXED_PRICE = "fixed-price"


class PriceCurve(StrEnum):
    CENTER_TARGET = "center-target"  # CenterTargetPrice and MinimumPrice
    LINEAR = "linear"  # Gen-1


class RenewalRule(StrEnum):
    """How `renew` sets the price of the *next* renewal."""

    FLOORED = "floored"  # min(sale_price(now), max(old + bump·old, end_price)), RFC-149
    CAPPED = "capped"  # Gen-1: min(sale_price(now), old + bump·old)


def curve_for(capabilities: Capabilities) -> PriceCurve:
    """The lead-in curve of this runtime (inferred; see the module docstring)."""
    return (
        PriceCurve.LINEAR if capabilities.sale_price_field == "price" else PriceCurve.CENTER_TARGET
    )


def renewal_rule_for(capabilities: Capabilities) -> RenewalRule:
    """The renewal-price rule: the end_price floor exists wherever SaleInfo has `end_price`.

    Doubtful for Gen-2/3 builds from before RFC-149 (floor absent); the floor only matters when
    a renewal happens at the fixed price and the old price plus bump is below end_price.
    """
    return RenewalRule.CAPPED if capabilities.sale_price_field == "price" else RenewalRule.FLOORED


_HALF = fixed_from_rational(1, 2)


def leadin_fraction(sale: SaleInfo, now: int) -> int:
    """x = min(now − sale_start, leadin) / leadin as FixedU64 (inner value, 10^9 = 1.0).

    A zero lead-in (which the runtime's config validation forbids, and where it would panic)
    counts as over: x = 1.
    """
    if sale.leadin_length <= 0:
        return FIXED_ONE
    n = min(max(now - sale.sale_start, 0), sale.leadin_length)
    return fixed_from_rational(n, sale.leadin_length)


def leadin_factor(x: int, curve: PriceCurve) -> int:
    """F(x) as FixedU64, with the runtime's saturating, flooring steps."""
    if curve is PriceCurve.LINEAR:
        return fixed_sub(fixed_from_int(2), x)
    if x <= _HALF:
        return fixed_sub(fixed_from_int(100), fixed_mul(x, fixed_from_int(180)))
    return fixed_sub(fixed_from_int(19), fixed_mul(x, fixed_from_int(18)))


def sale_price(sale: SaleInfo, now: int, curve: PriceCurve) -> int:
    """Planck a `purchase` at block ``now`` (sale units) pays: F(x) × end_price, floored."""
    return fixed_mul_int(leadin_factor(leadin_fraction(sale, now), curve), sale.end_price)


def target_price(sale: SaleInfo, curve: PriceCurve) -> int:
    """The price the curve aims at: 10 × end_price (CenterTarget); the regular price (Linear)."""
    if curve is PriceCurve.LINEAR:
        return sale.end_price
    return fixed_mul_int(fixed_from_int(10), sale.end_price)


def next_renewal_price(
    old: int,
    renewal_bump: int,
    sale: SaleInfo,
    now: int,
    curve: PriceCurve,
    rule: RenewalRule = RenewalRule.FLOORED,
) -> int:
    """The price a `renew` at block ``now`` stores for the following renewal.

    ``cap = old + renewal_bump × old`` (Perbill × u128, nearest, half down; saturating here
    where the runtime would overflow), floored at `end_price` by the current rule, then
    ``min(sale_price(now), cap)``.
    """
    return stored_renewal_price(
        old, renewal_bump, sale.end_price, sale_price(sale, now, curve), rule
    )


def stored_renewal_price(
    old: int, renewal_bump: int, end_price: int, price_now: int, rule: RenewalRule
) -> int:
    """`next_renewal_price` with the sale price at the renewal block already known."""
    cap = min(old + perbill_mul(renewal_bump, old), U128_MAX)
    if rule is RenewalRule.FLOORED:
        cap = max(cap, end_price)
    return min(price_now, cap)


@dataclass(frozen=True, slots=True)
class SaleClock:
    """Where the current sale stands at the snapshot's block."""

    phase: Phase
    units: BlockUnits
    now: int
    """'Now' in sale units (relay blocks, or Coretime blocks on old runtimes)."""
    relay_now: int
    rotation: int
    """Block (sale units) of the rotation that opened this sale: sale_start − interlude."""
    sale_start: int
    leadin_end: int
    interlude_length: int
    region_begin: int
    region_end: int
    timeslice_period: int
    advance_notice: int
    region_length: int
    interlude_elapsed: int = field(init=False)
    """Share of the interlude gone, in parts per billion (10^9 once it is over)."""
    purchase_open: bool = field(init=False)
    """`purchase` works from the block after sale_start (`TooEarly` before)."""

    def __post_init__(self) -> None:
        # read once per policy and topic: computed once per plan instead
        elapsed = share_perbill(self.now - self.rotation, self.interlude_length)
        object.__setattr__(self, "interlude_elapsed", elapsed)
        object.__setattr__(self, "purchase_open", self.now > self.sale_start)

    @property
    def blocks_to_sale_start(self) -> int:
        return max(self.sale_start - self.now, 0)

    @property
    def blocks_to_fixed_price(self) -> int:
        return max(self.leadin_end - self.now, 0)

    @property
    def next_rotation_relay(self) -> int:
        """Relay block at which the Broker rotates to the next sale (about)."""
        return self.region_begin * self.timeslice_period - self.advance_notice

    @property
    def relay_blocks_to_rotation(self) -> int:
        return max(self.next_rotation_relay - self.relay_now, 0)

    @property
    def rotation_relay(self) -> int:
        """Relay block of the rotation that opened this sale (derived for old runtimes)."""
        if self.units is BlockUnits.RELAY:
            return self.rotation
        previous_begin = self.region_begin - self.region_length
        return previous_begin * self.timeslice_period - self.advance_notice

    @property
    def current_timeslice(self) -> int:
        return self.relay_now // self.timeslice_period


def phase_at(sale: SaleInfo, now: int) -> Phase:
    """The phase at block ``now`` (sale units); see the module docstring for the boundaries."""
    if now <= sale.sale_start:
        return Phase.INTERLUDE
    if now < sale.sale_start + sale.leadin_length:
        return Phase.LEADIN
    return Phase.FIXED_PRICE


def sale_clock(snapshot: ChainSnapshot) -> SaleClock | None:
    """The clock of the current sale, or None when there is no sale or no configuration."""
    sale, config = snapshot.sale, snapshot.config
    if sale is None or config is None:
        return None
    now = snapshot.now_in_sale_units
    return SaleClock(
        phase=phase_at(sale, now),
        units=snapshot.capabilities.block_units,
        now=now,
        relay_now=snapshot.relay_block_number,
        rotation=max(sale.sale_start - config.interlude_length, 0),
        sale_start=sale.sale_start,
        leadin_end=sale.sale_start + sale.leadin_length,
        interlude_length=config.interlude_length,
        region_begin=sale.region_begin,
        region_end=sale.region_end,
        timeslice_period=snapshot.capabilities.timeslice_period,
        advance_notice=config.advance_notice,
        region_length=config.region_length,
    )
