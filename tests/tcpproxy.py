"""A TCP proxy for fault tests: relays a client to PostgreSQL and can cut the line at a chosen point.

``cut_after(n, forward=...)``: the n-th chunk the client sends (counted from then on) is either dropped
(``forward=False``: the server never sees it) or forwarded and the server's answer dropped (``forward=True``:
the server acts, the client never learns it) -- and the connection is closed. That second case is the
ambiguous commit: the transaction committed, the client sees an error.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._countdown: int | None = None
        self._forward = False
        self.cuts = 0
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, chunks: int, *, forward: bool) -> None:
        with self._lock:
            self._countdown = chunks
            self._forward = forward

    def disarm(self) -> None:
        with self._lock:
            self._countdown = None

    def close(self) -> None:
        self.listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self._sockets += [client, server]
            state = {"silenced": False}
            threading.Thread(target=self._pump_up, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(server, client, state), daemon=True).start()

    def _cut(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _pump_up(self, client: socket.socket, server: socket.socket, state: dict[str, bool]) -> None:
        while True:
            try:
                data = client.recv(65536)
            except OSError:
                data = b""
            if not data:
                self._cut(client, server)
                return
            with self._lock:
                fire = False
                if self._countdown is not None:
                    self._countdown -= 1
                    fire = self._countdown <= 0
                    if fire:
                        self._countdown = None
                        self.cuts += 1
                forward = self._forward
            if fire and not forward:
                self._cut(client, server)
                return
            if fire:
                state["silenced"] = True  # the server's answer never reaches the client
                with contextlib.suppress(OSError):
                    server.sendall(data)
                # Give the server time to act on it, then hang up on both.
                threading.Timer(0.3, self._cut, args=(client, server)).start()
                return
            try:
                server.sendall(data)
            except OSError:
                self._cut(client, server)
                return

    def _pump_down(self, server: socket.socket, client: socket.socket, state: dict[str, bool]) -> None:
        while True:
            try:
                data = server.recv(65536)
            except OSError:
                data = b""
            if not data:
                self._cut(client, server)
                return
            if state["silenced"]:
                continue
            try:
                client.sendall(data)
            except OSError:
                self._cut(client, server)
                return
