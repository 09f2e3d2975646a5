"""planner room: pure decisions from a snapshot, the ledger's view and ``now`` to a `Plan`.

Public names: `plan`, and the sale arithmetic other rooms may want to display
(`sale_clock`, `sale_price`, `next_renewal_price`, `target_price`, `Phase`).
"""

from agent.planner.plan import allocate_regions, plan
from agent.planner.sale import (
    Phase,
    PriceCurve,
    RenewalRule,
    SaleClock,
    curve_for,
    leadin_factor,
    leadin_fraction,
    next_renewal_price,
    phase_at,
    renewal_rule_for,
    sale_clock,
    sale_price,
    target_price,
)

__all__ = [
    "Phase",
    "PriceCurve",
    "RenewalRule",
    "SaleClock",
    "allocate_regions",
    "curve_for",
    "leadin_factor",
    "leadin_fraction",
    "next_renewal_price",
    "phase_at",
    "plan",
    "renewal_rule_for",
    "sale_clock",
    "sale_price",
    "target_price",
]
