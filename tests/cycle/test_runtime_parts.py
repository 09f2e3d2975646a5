"""The daemon's parts that need no chain: redaction, webhooks, status endpoint, reload."""

from __future__ import annotations

import io
import json
import logging
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from agent.model.network import NetworkRegistry
from agent.model.policy import PolicySet
from agent.policy import load_policies
from agent.runtime.health import Health
from agent.runtime.http import StatusServer
from agent.runtime.logs import configure_logging
from agent.runtime.metrics import Metrics
from agent.runtime.notify import Notification, Notifier, Webhook
from agent.runtime.reload import PolicyReloader

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_secrets_are_redacted_from_messages_args_and_tracebacks() -> None:
    stream = io.StringIO()
    secret = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
    configure_logging("INFO", "json", [secret], stream=stream)
    log = logging.getLogger("agent.test")
    log.info("signer uses %s", secret)
    try:
        raise ValueError(f"bad seed {secret}")
    except ValueError:
        log.exception("failed")
    out = stream.getvalue()
    assert secret not in out
    assert out.count("**********") >= 2
    first = json.loads(out.splitlines()[0])
    assert first["msg"] == "signer uses **********"


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    fail_first: int = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Collector.fail_first > 0:
            _Collector.fail_first -= 1
            self.send_response(500)
            self.end_headers()
            return
        _Collector.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def webhook_server() -> Any:
    _Collector.received, _Collector.fail_first = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _note() -> Notification:
    return Notification(
        "alert",
        datetime(2026, 11, 22, tzinfo=UTC),
        "acala",
        2000,
        "polkadot",
        "renewal-over-cap",
        "warning",
        "renewal price 160 DOT is above the cap",
    )


def test_webhook_retries_then_delivers_the_documented_payload(webhook_server: Any) -> None:
    _Collector.fail_first = 2
    url = f"http://127.0.0.1:{webhook_server.server_address[1]}/hook?token=abc"
    notifier = Notifier({"ops": Webhook("ops", url, max_attempts=3)})
    notifier.send(_note(), ["ops"])
    assert notifier.sent == 1 and notifier.failed == 0
    (payload,) = _Collector.received
    assert payload["version"] == 1 and payload["event"] == "alert"
    assert payload["policy"] == "acala" and payload["para_id"] == 2000
    assert payload["kind"] == "renewal-over-cap"


def test_webhook_gives_up_after_bounded_attempts(webhook_server: Any, caplog: Any) -> None:
    _Collector.fail_first = 10
    url = f"http://127.0.0.1:{webhook_server.server_address[1]}/secret-token"
    notifier = Notifier({"ops": Webhook("ops", url, max_attempts=2)})
    notifier.send(_note(), ["ops", "undefined-channel"])
    assert notifier.sent == 0 and notifier.failed == 2
    assert _Collector.fail_first == 8  # exactly two attempts were made
    assert "secret-token" not in caplog.text


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_status_endpoint_reports_health_and_metrics() -> None:
    health, metrics = Health(), Metrics()
    server = StatusServer("127.0.0.1:0", health, metrics).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        assert _get(base + "/healthz")[0] == 200
        assert _get(base + "/readyz")[0] == 503
        health.ready = True
        health.degrade("policies", "reload failed: acala.yaml:3:5")
        code, body = _get(base + "/healthz")
        assert code == 503
        assert json.loads(body)["problems"]["policies"].startswith("reload failed")
        assert _get(base + "/readyz")[0] == 200
        metrics.actions.labels("acala", "renew", "included").inc()
        code, text = _get(base + "/metrics")
        assert code == 200
        assert b'coretime_actions_total{kind="renew",outcome="included",policy="acala"} 1.0' in text
        assert b"coretime_agent_healthy 0.0" in text
    finally:
        server.stop()


def test_bad_reload_keeps_the_last_valid_set(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    source = (POLICIES / "acala.yaml").read_text()
    (folder / "acala.yaml").write_text(source)
    registry = NetworkRegistry()
    health = Health()
    first = load_policies([folder], registry)
    reloader = PolicyReloader([folder], lambda p: load_policies(p, registry), health, first)
    (folder / "acala.yaml").write_text(source.replace("paraId: 2000", "paraId: twothousand"))
    reloader.request()
    kept = reloader.maybe_reload()
    assert kept is first and [p.name for p in kept.policies] == ["acala"]
    assert "policies" in health.problems and "acala.yaml" in health.problems["policies"]
    (folder / "acala.yaml").write_text(source.replace("paraId: 2000", "paraId: 2001"))
    reloader.request()
    fresh = reloader.maybe_reload()
    assert isinstance(fresh, PolicySet) and fresh.policies[0].para_id == 2001
    assert "policies" not in health.problems
