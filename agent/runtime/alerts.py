"""Alerts and action results go to the log, the metrics and the policy's webhook channels.

Why: an alert repeated every block is noise; one never sent is a missed renewal. An alert is
sent when first seen and again when its message changes or after `repeat_after`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.model.actions import Action, Alert, Severity
from agent.model.outcome import SubmissionOutcome
from agent.model.policy import LoadedPolicy, NotifyEvent
from agent.runtime.notify import Notification, Notifier

log = logging.getLogger(__name__)


@dataclass
class AlertSink:
    notifier: Notifier | None = None
    repeat_after: timedelta = timedelta(hours=1)
    _last: dict[tuple[str, str], tuple[str, datetime]] = field(default_factory=dict)
    history: list[Notification] = field(default_factory=list)

    def raise_alert(self, alert: Alert, policy: LoadedPolicy | None, now: datetime) -> None:
        key = (alert.policy, alert.kind.value)
        seen = self._last.get(key)
        if seen and seen[0] == alert.message and now - seen[1] < self.repeat_after:
            return
        self._last[key] = (alert.message, now)
        level = logging.ERROR if alert.severity is Severity.CRITICAL else logging.WARNING
        log.log(
            level,
            "alert %s for %s (para %d): %s",
            alert.kind.value,
            alert.policy,
            alert.para_id,
            alert.message,
            extra={"policy": alert.policy},
        )
        network = policy.network.name if policy else ""
        self._send(
            Notification(
                "alert",
                now,
                alert.policy,
                alert.para_id,
                network,
                alert.kind.value,
                alert.severity.value,
                alert.message,
            ),
            policy,
            NotifyEvent.ALERT,
        )

    def action_failed(
        self, action: Action, policy: LoadedPolicy, outcome: SubmissionOutcome, now: datetime
    ) -> None:
        detail = str(outcome.error) if outcome.error else outcome.message
        self._send(
            Notification(
                "action-failed",
                now,
                action.policy,
                action.para_id,
                action.network,
                action.kind.value,
                Severity.CRITICAL.value,
                f"{action.kind.value} failed: {detail}",
                action.id,
                {"status": outcome.status.value, "reason": action.reason},
            ),
            policy,
            NotifyEvent.ACTION_FAILED,
        )

    def action_done(
        self, action: Action, policy: LoadedPolicy, outcome: SubmissionOutcome, now: datetime
    ) -> None:
        self._send(
            Notification(
                "action-succeeded",
                now,
                action.policy,
                action.para_id,
                action.network,
                action.kind.value,
                Severity.INFO.value,
                f"{action.kind.value} {outcome.status.value}: {action.reason}",
                action.id,
                {
                    "status": outcome.status.value,
                    "spent": str(outcome.spent),
                    "fee": str(outcome.fee),
                    "block": outcome.block_hash,
                },
            ),
            policy,
            NotifyEvent.ACTION_SUCCEEDED,
        )

    def _send(self, note: Notification, policy: LoadedPolicy | None, event: NotifyEvent) -> None:
        self.history.append(note)
        del self.history[:-500]
        if self.notifier is None or policy is None:
            return
        spec = policy.policy.spec.notifications
        if event in spec.on and spec.channels:
            self.notifier.send(note, spec.channels)
