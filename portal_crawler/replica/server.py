"""Serve the replica on 127.0.0.1, routed by Host header, so crawls keep the real host names.

Requests may come directly (`GET /path` with `Host: www.vietnam.vn`) or as a plain HTTP proxy
(`GET http://www.vietnam.vn/path`). Nothing here ever opens an outgoing connection.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import struct
import sys
import threading
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from .faults import Fault, FaultPlan, Limits
from .generate import SiteMap, build_all, build_site
from .resource import Resource

NOT_FOUND_TYPE = "text/html; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # quiet by design
        pass

    def _target(self) -> tuple[str, str]:
        """(host, path_with_query) from an absolute-form target or the Host header."""
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            path = parts.path or "/"
            return (parts.hostname or "").lower(), path + (f"?{parts.query}" if parts.query else "")
        host = (self.headers.get("Host") or "").strip().lower()
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return host, self.path

    def _answer(self, send_body: bool) -> None:
        host, path = self._target()
        self.server.log_request_target(self.command, host, path)
        fault = self.server.faults.answer(path) if host in self.server.hosts else None
        found = self.server.lookup(host, path)
        if fault is not None:
            self._fault(fault, found, send_body)
            return
        if found is None:
            body = self.server.site.not_found
            self._send(HTTPStatus.NOT_FOUND, body, NOT_FOUND_TYPE, {}, send_body)
        elif self._not_modified(found):
            self._send(HTTPStatus.NOT_MODIFIED, b"", None, found.headers, False)
        else:
            self._send(found.status, found.body, found.content_type, found.headers, send_body)

    def _fault(self, fault: Fault, found: Resource | None, send_body: bool) -> None:
        if fault.gate is not None:
            fault.gate.wait(fault.delay or None)
        elif fault.delay:
            time.sleep(fault.delay)
        if fault.reset:
            # SO_LINGER 0: close() sends a TCP RST, the client sees the connection reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        answer = fault.resource(found)
        self._send(answer.status, answer.body, answer.content_type, answer.headers, send_body,
                   truncate=fault.truncate)

    def _not_modified(self, resource: Resource) -> bool:
        etags = self.headers.get("If-None-Match")
        if etags is not None:
            wanted = {t.strip().removeprefix("W/") for t in etags.split(",")}
            return "*" in wanted or resource.headers.get("ETag") in wanted
        since = self.headers.get("If-Modified-Since")
        modified = resource.headers.get("Last-Modified")
        if since and modified:
            try:
                return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str],
        send_body: bool,
        truncate: int | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if truncate is not None:
            # Fewer bytes than Content-Length promised, then the connection closes.
            body = body[:truncate]
            self.close_connection = True
        if send_body and body:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: SiteMap,
                 faults: FaultPlan | None = None) -> None:
        self.site = site
        self.hosts = frozenset(host for host, _ in site)
        self.faults = faults or FaultPlan()
        self.requests: list[tuple[str, str, str]] = []
        self.arrivals: list[float] = []  # time.time() of each request, as `requests`
        self._log_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timeout, reset) is expected under faults; others are not."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def log_request_target(self, method: str, host: str, path: str) -> None:
        """Every request as (method, host, path) and when it came: tests count what a crawl
        fetched, and measure its waits."""
        with self._log_lock:
            self.requests.append((method, host, path))
            self.arrivals.append(time.time())

    def lookup(self, host: str, path: str) -> Resource | None:
        """Exact path first; a page with unknown query parameters is the page (as live)."""
        resource = self.site.get((host, path))
        if resource is None and "?" in path:
            resource = self.site.get((host, path.split("?", 1)[0]))
        return resource


class ReplicaServer:
    """The replica on a loopback port; a context manager that serves from a background thread."""

    def __init__(self, site: SiteMap | None = None, host: str = "127.0.0.1", port: int = 0,
                 faults: FaultPlan | None = None) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the replica serves loopback only, not {host!r}")
        self.site = site if site is not None else build_site()
        self.faults = faults or FaultPlan()
        self._httpd = _Server((host, port), self.site, self.faults)
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> list[tuple[str, str, str]]:
        """(method, host, path) of every request served so far, in arrival order."""
        return list(self._httpd.requests)

    @property
    def timed_requests(self) -> list[tuple[float, str, str, str]]:
        """(arrival as time.time(), method, host, path) of every request served so far."""
        with self._httpd._log_lock:
            return [(t, *r) for t, r in zip(self._httpd.arrivals, self._httpd.requests,
                                            strict=True)]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    def start(self) -> ReplicaServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="replica-server", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the portals' replica on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--faults", type=int, metavar="SEED",
                        help="inject faults drawn from this seed (docs/reliability.md)")
    parser.add_argument("--fault-rate", type=float, default=0.3, metavar="P",
                        help="share of URLs given a fault (default 0.3)")
    parser.add_argument("--download-timeout", type=float, default=Limits.download_timeout,
                        help="the crawler's DOWNLOAD_TIMEOUT, which slow answers exceed")
    parser.add_argument("--download-maxsize", type=int, default=Limits.download_maxsize,
                        help="the crawler's DOWNLOAD_MAXSIZE, which oversize pages exceed")
    args = parser.parse_args(argv)
    site = build_all()
    faults = None
    if args.faults is not None:
        limits = Limits(args.download_timeout, args.download_maxsize)
        faults = FaultPlan.for_site(site, args.faults, args.fault_rate, limits)
    server = ReplicaServer(site, port=args.port, faults=faults)
    if faults is not None:
        for path, kind in faults.describe().items():
            print(f"fault {kind:<16} {path}", flush=True)
    # Last: whoever waits for this line may start at once.
    print(f"replica serving on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
