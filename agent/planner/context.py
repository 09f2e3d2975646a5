"""What one policy's decisions share: its names, payer, token, and where results go.

Why: each topic (renewal, purchase, auto-renew, on-demand) builds actions, alerts and decisions
the same way; keeping that here keeps the topic modules about coretime, not bookkeeping.
`Outbox` is a plain accumulator local to one `plan` call, so the planner stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agent.model.actions import (
    Action,
    ActionKind,
    Alert,
    AlertKind,
    CallSpec,
    Decision,
    Severity,
    action_id,
)
from agent.model.chain import Region
from agent.model.money import Token, format_amount, format_percent
from agent.model.outcome import LedgerView
from agent.model.policy import LoadedPolicy, PolicySpec
from agent.planner.index import SnapshotIndex


@dataclass
class Outbox:
    actions: list[Action] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    committed: dict[str, int] = field(default_factory=dict)
    """Coretime-chain account → planck already promised by earlier actions of this plan."""
    committed_relay: dict[str, int] = field(default_factory=dict)
    """Relay account → planck already promised by earlier on-demand orders of this plan."""
    money_text: dict[tuple[int, str], str] = field(default_factory=dict)
    """Formatted amounts, memoised for this plan (prices repeat across policies)."""


def balance_of(balances: Mapping[str, int], account: str | None) -> int:
    """Free balance of a 0x account id, 0 when the snapshot has none for it."""
    if account is None:
        return 0
    value = balances.get(account)
    if value is None:
        value = balances.get(account.lower(), 0)
    return value


@lru_cache(maxsize=256)
def _pct(perbill: int) -> str:
    return format_percent(perbill)


@dataclass(slots=True)
class PolicyContext:
    """One policy against one indexed snapshot (names copied out once: this runs per policy)."""

    loaded: LoadedPolicy
    index: SnapshotIndex
    payer: str | None
    """0x account id that pays for the policy's signer, if known."""
    out: Outbox
    ledger: LedgerView
    claimed: tuple[Region, ...] = ()
    """Regions owned by the payer that this policy may assign (see `plan.allocate_regions`)."""
    spec: PolicySpec = field(init=False)
    name: str = field(init=False)
    para: int = field(init=False)
    network: str = field(init=False)
    token: Token = field(init=False)
    sale_window: str = field(init=False)

    def __post_init__(self) -> None:
        self.spec = self.loaded.policy.spec
        self.name = self.loaded.name
        self.para = self.spec.para_id
        network = self.loaded.network
        self.network, self.token = network.name, network.token
        self.sale_window = self.index.sale_window

    def available(self, *, relay: bool = False) -> int:
        """The payer's free balance minus what earlier actions of this plan already promised."""
        if self.payer is None:
            return 0
        snap = self.index.snapshot
        balances, used = (
            (snap.relay_balances, self.out.committed_relay)
            if relay
            else (snap.balances, self.out.committed)
        )
        return balance_of(balances, self.payer) - used.get(self.payer.lower(), 0)

    def commit(self, planck: int, *, relay: bool = False) -> None:
        """Count ``planck`` against the payer's balance for the rest of this plan."""
        if self.payer is None:
            return
        used = self.out.committed_relay if relay else self.out.committed
        key = self.payer.lower()
        used[key] = used.get(key, 0) + planck

    def money(self, planck: int) -> str:
        key = (planck, self.token.symbol)
        text = self.out.money_text.get(key)
        if text is None:
            text = self.out.money_text[key] = format_amount(planck, self.token)
        return text

    @staticmethod
    def pct(perbill: int) -> str:
        return _pct(perbill)

    def decide(self, topic: str, outcome: str, reason: str) -> None:
        self.out.decisions.append(Decision(self.name, topic, outcome, reason))

    def alert(self, kind: AlertKind, severity: Severity, message: str) -> None:
        self.out.alerts.append(Alert(kind, self.name, self.para, severity, message))

    def act(
        self,
        kind: ActionKind,
        *,
        call: CallSpec,
        target: Mapping[str, Any],
        reason: str,
        max_cost: int,
        expected_cost: int | None,
        window: str | None = None,
        signer: str | None = None,
    ) -> Action:
        """Build, record and return an action with its content-derived id."""
        win = window or self.sale_window
        clock = self.index.clock
        action = Action(
            id=action_id(
                network=self.network,
                policy=self.name,
                para_id=self.para,
                kind=kind,
                target=target,
                window=win,
            ),
            kind=kind,
            policy=self.name,
            para_id=self.para,
            network=self.network,
            window=win,
            max_cost=max_cost,
            call=call,
            reason=reason,
            signer=signer or self.spec.signer,
            target=target,
            expected_cost=expected_cost,
            sale=clock.region_begin if clock else None,
        )
        self.out.actions.append(action)
        return action
