"""guard room: idempotency and budgets over a plan (`check`) or one action (`admit`); pure."""

from agent.guard.budget import Usage, in_period, usage
from agent.guard.check import MAX_ATTEMPTS, GuardResult, admit, check

__all__ = ["MAX_ATTEMPTS", "GuardResult", "Usage", "admit", "check", "in_period", "usage"]
