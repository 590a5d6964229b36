"""HTTP layer: a threading server that applies faults around api.dispatch.

Standard library only. The server tracks its open connections so that
stop() and the `down` fault can cut keep-alive connections too; otherwise a
pooled client connection would keep "working" while the stand-in is down.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import api, control
from .errors import masked

if TYPE_CHECKING:
    from .standin import StandIn

# nginx's stock error page: what a proxy in front of a failing Zammad answers.
NGINX_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True  # a hanging handler must never block stop()
    allow_reuse_address = True  # `down` closes and re-binds the same port

    def __init__(self, address: tuple[str, int], standin: StandIn) -> None:
        self.standin = standin
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients vanishing mid-request are normal here (timeouts, faults, `down`).
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def close_all_connections(self) -> None:
        with self._connections_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler


def fault_response(status: int, retry_after: float | None) -> api.Response:
    """What a failing Zammad or its proxy sends for `status`."""
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
    if status == 429:
        # Rack::Attack's default throttled response (§8).
        return api.Response(429, "Retry later\n", {**headers, "Content-Type": "text/plain"})
    if status in (502, 503, 504):
        reason = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}[status]
        page = NGINX_PAGE.format(code=status, reason=reason)
        return api.Response(status, page, {**headers, "Content-Type": "text/html"})
    return api.Response(status, masked(status, "stand-in fault", is_admin=False).body(), headers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive like nginx in front of Zammad
    server_version = "zammad-standin"
    # Send headers and body in one segment: separate small writes on a
    # keep-alive connection hit Nagle + delayed ACK (~40 ms per request).
    wbufsize = -1
    disable_nagle_algorithm = True
    server: StandInServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # http.server dispatches on do_<METHOD>

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.standin.verbose:
            sys.stderr.write(f"[zammad-standin] {self.address_string()} {format % args}\n")

    def _handle(self) -> None:
        started = time.monotonic()
        standin = self.server.standin
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        method = self.command
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path == "/_standin" or path.startswith("/_standin/"):
            self._send(control.handle(standin, method, path, body), started)
            return
        faults = standin.faults
        if path.startswith("/api/v1/") and faults.latency > 0:
            standin.sleep(faults.latency)
        headers = {key.lower(): value for key, value in self.headers.items()}
        if faults.applies_to(method, path):
            if faults.take("reset_next"):
                self._abort(reset=True)
                return
            if faults.take("timeout_next"):
                standin.sleep(faults.hang_seconds)
                self._abort(reset=False)
                return
            if faults.take("fail_next"):
                self._send(fault_response(faults.status, faults.retry_after), started)
                return
            if faults.take("lose_response_next"):
                api.dispatch(standin.store, method, path, url.query, headers, body)
                self._abort(reset=True)
                return
        self._send(api.dispatch(standin.store, method, path, url.query, headers, body), started)

    def _send(self, response: api.Response, started: float) -> None:
        headers = dict(response.headers)
        if isinstance(response.body, (str, bytes)):
            payload = response.body.encode() if isinstance(response.body, str) else response.body
            content_type = headers.pop("Content-Type", "text/plain")
        else:
            payload = json.dumps(response.body).encode()
            content_type = api.JSON_TYPE
        self.send_response(response.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Request-Id", str(uuid.uuid4()))
        self.send_header("X-Runtime", f"{time.monotonic() - started:.6f}")
        self.send_header("Access-Control-Allow-Origin", "*")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        if response.after is not None:
            self.wfile.flush()  # the answer must be out before `after` may cut connections
            response.after()

    def _abort(self, *, reset: bool) -> None:
        """Drop the connection without any HTTP response (RST or plain close)."""
        self.close_connection = True
        sock = self.connection
        try:
            if reset:
                # SO_LINGER 0 turns close() into a TCP RST: "connection reset by peer".
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client (or stop()) closed it first
        # The buffered files hold references to the socket; close them so the
        # close() below really closes the descriptor now, then leave harmless
        # stand-ins for the flush()/close() that http.server still does.
        self.rfile.close()
        self.wfile.close()
        sock.close()
        self.rfile, self.wfile = io.BytesIO(), io.BytesIO()
