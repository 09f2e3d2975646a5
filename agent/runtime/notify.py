"""Webhook notifications for alerts and failed actions, with bounded retries.

Payload (JSON POST, one per event)::

    {"version": 1, "event": "alert" | "action-failed" | "action-succeeded",
     "at": "2026-11-22T10:00:00+00:00", "policy": "acala", "para_id": 2000,
     "network": "polkadot", "kind": "renewal-over-cap" | "renew" | ...,
     "severity": "warning", "message": "...", "action_id": "act_..." | null,
     "details": {...}}

A webhook that keeps failing is logged and counted; it never blocks or fails a tick.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Webhook:
    name: str
    url: str
    timeout_seconds: float = 5.0
    max_attempts: int = 3


@dataclass(frozen=True, slots=True)
class Notification:
    event: str
    at: datetime
    policy: str
    para_id: int
    network: str
    kind: str
    severity: str
    message: str
    action_id: str | None = None
    details: Mapping[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "version": 1,
            "event": self.event,
            "at": self.at.isoformat(),
            "policy": self.policy,
            "para_id": self.para_id,
            "network": self.network,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "action_id": self.action_id,
            "details": dict(self.details or {}),
        }


class Notifier:
    """Sends each notification to the channels its policy names, for the events it asks for."""

    def __init__(
        self, webhooks: Mapping[str, Webhook], transport: httpx.BaseTransport | None = None
    ) -> None:
        self.webhooks = dict(webhooks)
        self._client = httpx.Client(transport=transport)
        self.sent = 0
        self.failed = 0

    def send(self, note: Notification, channels: Sequence[str]) -> None:
        for name in channels:
            hook = self.webhooks.get(name)
            if hook is None:
                log.warning("notification channel '%s' is not defined in settings.webhooks", name)
                self.failed += 1
                continue
            try:
                for attempt in Retrying(
                    stop=stop_after_attempt(hook.max_attempts),
                    wait=wait_exponential(multiplier=0.2, max=2),
                    retry=retry_if_exception_type(httpx.HTTPError),
                    reraise=True,
                ):
                    with attempt:
                        reply = self._client.post(
                            hook.url, json=note.payload(), timeout=hook.timeout_seconds
                        )
                        reply.raise_for_status()
                self.sent += 1
            except httpx.HTTPError as exc:
                self.failed += 1
                # Never the URL: it may carry a token.
                log.error(
                    "webhook '%s' failed after %d attempts: %s",
                    name,
                    hook.max_attempts,
                    type(exc).__name__,
                )

    def close(self) -> None:
        self._client.close()
