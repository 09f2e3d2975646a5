"""Stateful property: plans, submissions, failures and crashes between intent and outcome, over
the real guard and the real SQLite ledger, never let spent + reserved exceed any budget limit and
never run an ActionId twice.

A "crash" drops the Ledger object with intents still open and opens the same file again, as a
restarted process would; open intents keep their reservation until an outcome closes them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from agent.guard import admit, check
from agent.ledger import BudgetRefused, DuplicateAction, Ledger
from agent.model.actions import Action, ActionKind, CallSpec, Plan, TargetChain, action_id
from agent.model.network import PASEO, NetworkRegistry
from agent.model.outcome import OutcomeStatus, SubmissionOutcome
from agent.model.policy import CoretimePolicy, LoadedPolicy, PeriodKind

PAS = 10**10
LIMITS = {"sale": 100 * PAS, "30d": 150 * PAS, "month": 170 * PAS, "total": 300 * PAS}


def make_policy(name: str) -> LoadedPolicy:
    policy = CoretimePolicy.model_validate(
        {
            "apiVersion": "coretime-agent/v1",
            "kind": "CoretimePolicy",
            "metadata": {"name": name},
            "spec": {
                "network": "paseo",
                "paraId": 2000,
                "budget": {"limits": [{"period": p, "amount": str(a)} for p, a in LIMITS.items()]},
                "signer": "payer",
            },
        },
        context={"networks": NetworkRegistry(), "token": PASEO.token},
    )
    return LoadedPolicy(policy, PASEO, f"{name}.yaml", "digest")


LOADED = make_policy("prop")
_TEMPLATE: dict[str, Path] = {}


def fresh_ledger_file(folder: Path) -> str:
    """A new, already migrated ledger file: a copy of one template (migrations run once)."""
    if "file" not in _TEMPLATE:
        keep = Path(tempfile.mkdtemp(dir=SHM))
        template = keep / "template.sqlite"
        Ledger(f"sqlite:///{template}").close()
        _TEMPLATE["file"] = template
    target = folder / "ledger.sqlite"
    shutil.copyfile(_TEMPLATE["file"], target)
    return f"sqlite:///{target}"


KINDS = [ActionKind.RENEW, ActionKind.PURCHASE, ActionKind.ORDER_ON_DEMAND, ActionKind.TOP_UP]
SHM = Path("/dev/shm") if Path("/dev/shm").is_dir() else None  # cheap fsync for 10,000 examples
EXAMPLES = int(os.environ.get("BUDGET_EXAMPLES", "10000"))


class BudgetMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.dir = tempfile.TemporaryDirectory(dir=SHM)
        self.url = fresh_ledger_file(Path(self.dir.name))
        self.name = "prop"
        self.loaded = LOADED
        self.ledger = Ledger(self.url)
        self.now = datetime(2026, 1, 30, 12, tzinfo=UTC)
        self.sale = 1000
        self.open: dict[str, int] = {}  # action id -> reserved
        self.done: set[str] = set()  # ids that had an effect (must never run again)

    def teardown(self) -> None:
        if hasattr(self, "ledger"):
            self.within_every_limit()
            self.ledger.close()
            self.dir.cleanup()

    @rule(kind=st.sampled_from(KINDS), slot=st.integers(0, 5), cost=st.integers(0, 80 * PAS))
    def plan_and_take(self, kind: ActionKind, slot: int, cost: int) -> None:
        window = f"sale:{self.sale}"
        aid = action_id(
            network="paseo",
            policy=self.name,
            para_id=2000,
            kind=kind,
            target={"n": slot},
            window=window,
        )
        action = Action(
            id=aid,
            kind=kind,
            policy=self.name,
            para_id=2000,
            network="paseo",
            window=window,
            max_cost=cost,
            call=CallSpec(TargetChain.CORETIME, "Broker", "renew", {"core": slot}),
            reason="property",
            signer="payer",
            target={"n": slot},
            expected_cost=cost,
            sale=self.sale,
        )
        view = self.ledger.view(now=self.now, policies=[self.name])
        approved = check(Plan(actions=(action,)), [self.loaded], view, self.now).approved
        if not approved:
            return
        try:
            self.ledger.record_intent(
                action,
                now=self.now,
                digest="d",
                admit=lambda v: admit(action, self.loaded, v, self.now),
            )
        except (BudgetRefused, DuplicateAction):
            return
        assert aid not in self.done, f"{aid} ran again after it took effect"
        self.open[aid] = cost
        self.within_every_limit()  # usage only grows when an intent is written

    @precondition(lambda self: bool(self.open))
    @rule(
        data=st.data(),
        status=st.sampled_from(
            [
                OutcomeStatus.INCLUDED,
                OutcomeStatus.FAILED,
                OutcomeStatus.DROPPED,
                OutcomeStatus.INVALID,
            ]
        ),
    )
    def outcome(self, data: st.DataObject, status: OutcomeStatus) -> None:
        aid = data.draw(st.sampled_from(sorted(self.open)))
        reserved = self.open.pop(aid)
        spent = data.draw(st.integers(0, reserved)) if status is OutcomeStatus.INCLUDED else 0
        fee = (
            0
            if status is OutcomeStatus.DROPPED
            else data.draw(st.integers(0, min(reserved - spent, PAS)))
        )
        self.ledger.record_outcome(
            aid, SubmissionOutcome(status, spent=spent, fee=fee), now=self.now
        )
        if status is OutcomeStatus.INCLUDED:
            self.done.add(aid)

    @rule()
    def crash_and_restart(self) -> None:
        self.ledger.close()  # intents stay open in the file, as after kill -9
        self.ledger = Ledger(self.url)

    @rule(hours=st.integers(1, 24 * 20))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def next_sale(self) -> None:
        self.sale += 5040

    def within_every_limit(self) -> None:
        """Outcomes (spent <= reserved), time passing and a new sale can only lower usage, so
        checking after every written intent covers every state the machine reaches."""
        view = self.ledger.view(now=self.now, policies=[self.name], horizon=timedelta(days=40))
        for limit in self.loaded.policy.spec.budget.limits:
            kind = limit.period.kind
            used = sum(
                e.planck
                for e in view.entries
                if kind is PeriodKind.TOTAL
                or (kind is PeriodKind.SALE and e.sale == self.sale)
                or (
                    kind is PeriodKind.ROLLING
                    and e.at > self.now - timedelta(seconds=limit.period.seconds)
                )
                or (
                    kind is PeriodKind.MONTH
                    and (e.at.year, e.at.month) == (self.now.year, self.now.month)
                )
            )
            assert used <= limit.amount.planck, f"{limit.period}: {used} > {limit.amount.planck}"


BudgetMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_budget_never_exceeded = BudgetMachine.TestCase
