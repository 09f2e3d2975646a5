"""Connections to one chain's nodes: fail-over in order, bounded reconnects, a timeout on every call.

Why: a tick must either read a consistent state or fail fast with one clear line. Every
substrate-interface and websocket error is translated here, in `map_transport_errors` (as httpx
maps httpcore errors at its transport), into `EndpointFailure`; when no endpoint is left,
`ChainConnection.run` raises `agent.errors.ChainUnavailable` naming every endpoint tried, e.g.
``coretime chain unreachable: ws://a (connection refused), ws://b (timeout after 10s)``.
Each RPC exchange (a request or a JSON-RPC batch) counts as one round trip, so tests and the
bench can prove that reads do not grow with the number of paras.
"""

from __future__ import annotations

import json
import logging
import socket
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import websocket
from substrateinterface import SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from agent.chain.substrate.metadata_cache import MetadataCache
from agent.errors import ChainUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")


class EndpointFailure(Exception):
    """One endpoint failed at the transport level; another endpoint may still answer."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url} ({reason})")
        self.url = url
        self.reason = reason


class RpcError(Exception):
    """The node answered a request with a JSON-RPC error object."""

    def __init__(self, method: str, error: Any) -> None:
        self.method = method
        self.error = error
        super().__init__(f"{method}: {rpc_error_text(error)}")


def rpc_error_text(error: Any) -> str:
    """One line from a JSON-RPC error object: message plus its data, if any."""
    if isinstance(error, dict):
        message = str(error.get("message", "error"))
        data = error.get("data")
        return f"{message}: {data}" if data not in (None, "") else message
    return str(error)


@contextmanager
def map_transport_errors(url: str, timeout: float) -> Iterator[None]:
    """Turn websocket, socket and substrate-interface errors into `EndpointFailure`."""
    try:
        yield
    except EndpointFailure:
        raise
    except (websocket.WebSocketTimeoutException, TimeoutError) as exc:
        raise EndpointFailure(url, f"timeout after {timeout:g}s") from exc
    except ConnectionRefusedError as exc:
        raise EndpointFailure(url, "connection refused") from exc
    except websocket.WebSocketConnectionClosedException as exc:
        raise EndpointFailure(url, "connection closed") from exc
    except websocket.WebSocketBadStatusException as exc:
        raise EndpointFailure(url, f"HTTP status {exc.status_code}") from exc
    except websocket.WebSocketException as exc:
        raise EndpointFailure(url, f"websocket error: {exc}") from exc
    except socket.gaierror as exc:
        raise EndpointFailure(url, "unknown host") from exc
    except OSError as exc:
        raise EndpointFailure(url, exc.strerror or type(exc).__name__) from exc
    except SubstrateRequestException as exc:
        error = exc.args[0] if exc.args else exc
        raise EndpointFailure(url, f"rpc error: {rpc_error_text(error)}") from exc


class RoundTrips:
    """Counts RPC exchanges with the nodes of one chain (a batch is one), and calls by method."""

    def __init__(self) -> None:
        self.count = 0
        self.methods: Counter[str] = Counter()

    def add(self, methods: Sequence[str]) -> None:
        self.count += 1
        self.methods.update(methods)


class _CountingSubstrate(SubstrateInterface):  # type: ignore[misc]
    """substrate-interface with every request counted (the library funnels all RPC through here)."""

    round_trips: RoundTrips

    def rpc_request(self, method: str, params: Any, result_handler: Any = None) -> Any:
        self.round_trips.add([method])
        return super().rpc_request(method, params, result_handler)


class Session:
    """One live websocket to one endpoint, with the runtime (metadata) loaded."""

    def __init__(
        self, url: str, timeout: float, round_trips: RoundTrips, cache: MetadataCache
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.round_trips = round_trips
        self.batch_supported = True
        self.api = _CountingSubstrate(
            url=url,
            ws_options={"timeout": timeout},
            auto_discover=False,
            auto_reconnect=False,
        )
        self.api.round_trips = round_trips
        self.cache = cache
        try:
            self.genesis_hash: str = self.request("chain_getBlockHash", [0])
            self.api.cache_region = cache.region(self.genesis_hash, self.api.runtime_config)
            self.api.init_runtime()
        except BaseException:
            self.close()
            raise

    @property
    def spec_version(self) -> int:
        return int(self.api.runtime_version)

    def request(self, method: str, params: list[Any]) -> Any:
        reply = self.api.rpc_request(method, params)
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply.get("result")

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Several requests in one JSON-RPC batch: one round trip for all of them."""
        if not calls:
            return []
        if len(calls) == 1 or not self.batch_supported:
            return [self.request(method, params) for method, params in calls]
        base = self.api.request_id
        self.api.request_id += len(calls)
        payload = [
            {"jsonrpc": "2.0", "id": base + i, "method": method, "params": params}
            for i, (method, params) in enumerate(calls)
        ]
        self.round_trips.add([method for method, _ in calls])
        self.api.websocket.send(json.dumps(payload))
        while True:
            message = json.loads(self.api.websocket.recv())
            if isinstance(message, list):
                break
            if (
                isinstance(message, dict)
                and message.get("id") in (None, base)
                and "error" in message
            ):
                logger.info("%s does not take JSON-RPC batches; sending one by one", self.url)
                self.batch_supported = False
                return [self.request(method, params) for method, params in calls]
        replies = {item.get("id"): item for item in message if isinstance(item, dict)}
        results = []
        for i, (method, _) in enumerate(calls):
            reply = replies.get(base + i)
            if reply is None:
                raise RpcError(method, "no reply in batch")
            if "error" in reply:
                raise RpcError(method, reply["error"])
            results.append(reply.get("result"))
        return results

    def close(self) -> None:
        try:
            self.api.close()
        except Exception:  # closing a broken socket must never mask the real error
            logger.debug("closing %s failed", self.url, exc_info=True)


class ChainConnection:
    """The endpoints of one chain, used in order; a failing session is replaced by the next one."""

    def __init__(
        self,
        label: str,
        urls: Sequence[str],
        *,
        timeout: float,
        cache: MetadataCache,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
    ) -> None:
        self.label = label
        self.urls = tuple(urls)
        self.timeout = timeout
        self.cache = cache
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.round_trips = RoundTrips()
        self._session: Session | None = None
        self.generation = 0
        """Bumped on every new session, so callers can tell a reconnect happened."""

    def _connect(self, failures: dict[str, str]) -> Session:
        if self._session is not None:
            return self._session
        for url in self.urls:
            try:
                with map_transport_errors(url, self.timeout):
                    session = Session(url, self.timeout, self.round_trips, self.cache)
            except EndpointFailure as exc:
                failures[url] = exc.reason
                logger.info("%s endpoint %s failed: %s", self.label, url, exc.reason)
                continue
            except RpcError as exc:
                failures[url] = f"rpc error: {rpc_error_text(exc.error)}"
                logger.info("%s endpoint %s failed: %s", self.label, url, failures[url])
                continue
            self._session = session
            self.generation += 1
            logger.info("%s chain connected to %s", self.label, url)
            return session
        raise EndpointFailure("*", "no endpoint answered")

    def drop(self) -> None:
        """Forget the current session (after an error, or to force a reconnect)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def run(self, op: Callable[[Session], T], *, retry: bool = True) -> T:
        """Run `op` on a live session; on transport failure fail over, back off and retry (bounded).

        Use ``retry=False`` for operations that must not be repeated (a submitted extrinsic).
        """
        if not self.urls:
            raise ChainUnavailable(f"{self.label} chain unreachable: no endpoints configured")
        failures: dict[str, str] = {}

        def attempt() -> T:
            session = self._connect(failures)
            try:
                with map_transport_errors(session.url, self.timeout):
                    return op(session)
            except EndpointFailure as exc:
                failures[session.url] = exc.reason
                self.drop()
                raise
            except RpcError as exc:
                failures[session.url] = f"rpc error: {rpc_error_text(exc.error)}"
                self.drop()
                raise EndpointFailure(session.url, failures[session.url]) from exc

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts if retry else 1),
            wait=wait_exponential(multiplier=self.backoff_seconds, max=self.max_backoff_seconds),
            retry=retry_if_exception_type(EndpointFailure),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except EndpointFailure:
            raise ChainUnavailable(self.describe_failures(failures)) from None

    def describe_failures(self, failures: dict[str, str]) -> str:
        tried = ", ".join(f"{url} ({failures[url]})" for url in self.urls if url in failures)
        return f"{self.label} chain unreachable: {tried or 'no endpoint answered'}"

    def close(self) -> None:
        self.drop()
