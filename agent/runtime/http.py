"""The daemon's HTTP endpoint: `/metrics` (Prometheus), `/healthz` and `/readyz` (JSON).

`/healthz` is 200 while no degraded condition is open and 503 otherwise, with the reasons;
`/readyz` is 200 once the first tick has run (a standby replica is ready too).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agent.runtime.health import Health
from agent.runtime.metrics import Metrics


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or "127.0.0.1").strip("[]"), int(port)


class StatusServer:
    def __init__(self, address: str, health: Health, metrics: Metrics) -> None:
        health_ref, metrics_ref = health, metrics

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    metrics_ref.healthy.set(1 if health_ref.healthy else 0)
                    self._reply(200, generate_latest(metrics_ref.registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    report = health_ref.report()
                    self._json(200 if health_ref.healthy else 503, report)
                elif path == "/readyz":
                    self._json(200 if health_ref.ready else 503, {"ready": health_ref.ready})
                else:
                    self._json(
                        404, {"error": "not found", "paths": ["/metrics", "/healthz", "/readyz"]}
                    )

            def _json(self, code: int, body: Any) -> None:
                self._reply(code, json.dumps(body).encode(), "application/json")

            def _reply(self, code: int, body: bytes, ctype: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        host, port = parse_address(address)
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="status-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> StatusServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
