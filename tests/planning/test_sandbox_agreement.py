"""The planner's prices agree with the sandbox's, written independently from the same runtime.

Why: the sandbox is what `demo` and `simulate` charge; if the planner's caps were computed with
different rounding, a cap exactly at the price would pass in one and fail in the other.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from agent.chain.sandbox import pricing
from agent.planner import PriceCurve, RenewalRule, sale_price
from agent.planner.sale import stored_renewal_price
from tests.planning.builders import sale


@given(st.integers(1, 300_000), st.integers(0, 10**22), st.integers(-10, 400_000))
def test_lead_in_price_matches_the_sandbox(leadin: int, end: int, offset: int) -> None:
    s = sale(sale_start=1_000, leadin_length=leadin, end_price=end)
    now = 1_000 + offset
    assert sale_price(s, now, PriceCurve.CENTER_TARGET) == pricing.sale_price(s, now)


@given(
    st.integers(0, 10**20), st.integers(0, 10**9), st.integers(0, 10**20), st.integers(0, 10**22)
)
def test_next_renewal_price_matches_the_sandbox(old: int, bump: int, end: int, now: int) -> None:
    mine = stored_renewal_price(old, bump, end, now, RenewalRule.FLOORED)
    assert mine == pricing.next_renewal_price(old=old, bump=bump, end_price=end, price_now=now)
