"""The HTTP side's listening socket, bound before anything else starts."""

from __future__ import annotations

import socket


class HttpPortUnavailable(RuntimeError):
    """The HTTP port cannot be bound; the message is one line that says how to fix it."""


def bind_http(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); HttpPortUnavailable when it is taken.

    Binding first makes a taken port fail the start in one line, before the bus or the
    processors are touched, instead of failing deep inside the web server.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise HttpPortUnavailable(
            f"HTTP host {host!r} does not resolve ({exc.strerror}); set HUB_HTTP_HOST"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise HttpPortUnavailable(
            f"HTTP port {port} on {host} is not available ({exc.strerror}): "
            "stop what holds it or set HUB_HTTP_PORT (0 = a free port)"
        ) from None
    sock.set_inheritable(True)
    return sock
