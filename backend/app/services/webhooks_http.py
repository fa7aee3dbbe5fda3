"""Sending one webhook delivery over HTTP: to the addresses checked, never resolved again."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from .webhooks import Target

ERROR_LENGTH = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked addresses only; the Host header still names the host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def _open(self) -> socket.socket:
        error: OSError | None = None
        for address in self.addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target, timeout)
        self.context = ssl.create_default_context()

    def connect(self) -> None:
        # The certificate is checked against the host name, on a socket opened to a checked address.
        self.sock = self.context.wrap_socket(self._open(), server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to a checked target; redirects are answers like any other (not followed)."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, timeout)
    deadline = time.monotonic() + timeout
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # a little of the answer, never more, within the timeout
        if time.monotonic() > deadline:
            return Outcome(None, f"timed out after {timeout:g} s")
        if 200 <= response.status < 300:
            return Outcome(response.status, None)
        return Outcome(response.status, f"HTTP {response.status} {response.reason}"[:ERROR_LENGTH])
    except TimeoutError:
        return Outcome(None, f"timed out after {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:ERROR_LENGTH])
    finally:
        connection.close()
