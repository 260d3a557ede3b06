"""A loopback HTTP server for fetch tests: serves a dict of path -> (status, headers, body)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def running(handler: type[BaseHTTPRequestHandler]):
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread; yields the base URL; stops it after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def send(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    """A complete response with a correct Content-Length."""
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serve(routes: dict[str, tuple[int, dict[str, str], bytes]]):
    """Serve fixed responses by path; yields (base URL, paths requested)."""
    requests_seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests_seen.append(self.path)
            send(self, *routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found")))

        def log_message(self, *args):
            pass

    with running(Handler) as base:
        yield base, requests_seen
