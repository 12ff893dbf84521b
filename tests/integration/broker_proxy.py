"""A TCP relay put in front of Redis, switched off (connections refused, open ones cut) and on."""

import contextlib
import socket
import threading

from tests.integration.support import with_host_port


class TcpProxy:
    """Relays 127.0.0.1:`port` to `upstream` while on. Off: nothing listens on the port, so new
    connections are refused, and every relayed connection is cut."""

    def __init__(self, *, upstream: tuple[str, int], port: int):
        self.upstream = upstream
        self.port = port
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()

    def url_for(self, url: str) -> str:
        """`url` (whose host and port are the upstream's) reached through this proxy."""
        return with_host_port(url, "127.0.0.1", self.port)

    def on(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def off(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            relayed, self._open = self._open, set()
        if listener is not None:
            _close(listener)
        for sock in relayed:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # switched off
            try:
                server = socket.create_connection(self.upstream, timeout=3)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    _close(server)
                    return
                self._open.update((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.difference_update((source, target))
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in accept() or recv() on the socket; close() alone doesn't.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
