"""Endpoints that misbehave on purpose: a port nobody listens on, a listener that never answers,
and a TCP forwarder that can be cut while a client is connected through it."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator

from tests.support.devnet import free_port


def refused_url() -> str:
    """A loopback port with nothing listening: connecting is refused at once."""
    return f"ws://127.0.0.1:{free_port()}"


@contextlib.contextmanager
def silent_url() -> Iterator[str]:
    """A port that accepts TCP connections but never speaks: the websocket handshake times out."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"ws://127.0.0.1:{server.getsockname()[1]}"


class Forwarder:
    """Forwards a loopback port to a target port until `cut()` closes every connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.url = f"ws://127.0.0.1:{self.server.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.server], [], [], 0.1)
            if not ready or self._stop.is_set():
                continue
            client, _ = self.server.accept()
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            while not self._stop.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.1)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)

    def cut(self) -> None:
        """Close the listener and every forwarded connection (the node 'dies')."""
        self._stop.set()
        for sock in [self.server, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(timeout=2)
