"""Follow the Coretime chain's finalized heads by subscription, so the daemon ticks at once.

Why: polling alone adds up to one poll interval of delay to every renewal window. A background
thread holds `chain_subscribeFinalizedHeads` on its own connection (raw JSON: no runtime decoding)
and calls back with each new block number; the daemon keeps polling as the fall-back, so a
broken subscription only costs latency. Endpoints are tried in order with a bounded pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from substrateinterface import SubstrateInterface

log = logging.getLogger(__name__)


class HeadFollower:
    def __init__(
        self,
        urls: Sequence[str],
        on_head: Callable[[int], None],
        *,
        timeout: float = 10.0,
        retry_seconds: float = 5.0,
    ) -> None:
        self.urls = list(urls)
        self.on_head = on_head
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.latest: int | None = None
        self._stop = threading.Event()
        self._api: SubstrateInterface | None = None
        self._thread = threading.Thread(target=self._run, name="head-follower", daemon=True)

    def start(self) -> HeadFollower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        api = self._api
        if api is not None:
            try:
                api.close()  # unblocks the subscription's receive
            except Exception:
                log.debug("closing the head subscription failed", exc_info=True)
        self._thread.join(timeout=self.timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            for url in self.urls:
                if self._stop.is_set():
                    return
                try:
                    self._api = SubstrateInterface(url=url, ws_options={"timeout": self.timeout})
                    self._api.rpc_request(
                        "chain_subscribeFinalizedHeads", [], result_handler=self._handle
                    )
                except Exception as exc:
                    if not self._stop.is_set():
                        log.info("finalized-head subscription on %s ended: %s", url, exc)
                finally:
                    self._close()
            self._stop.wait(self.retry_seconds)

    def _handle(self, message: dict[str, Any], update_nr: int, subscription_id: str) -> Any:
        if self._stop.is_set():
            return True  # a non-None result ends the subscription
        params = message.get("params") or {}
        header = params.get("result") or {}
        number = header.get("number")
        if isinstance(number, str):
            self.latest = int(number, 16)
            try:
                self.on_head(self.latest)
            except Exception:  # the daemon's callback must not kill the subscription
                log.exception("head callback failed")
        return None

    def _close(self) -> None:
        api, self._api = self._api, None
        if api is not None:
            try:
                api.close()
            except Exception:
                log.debug("closing a failed subscription connection", exc_info=True)
