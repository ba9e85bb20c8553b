"""The simulated Meta Graph API over HTTP on 127.0.0.1 (a ThreadingHTTPServer on a daemon thread).

The adapters under test talk to it with their real HTTP code; tests and the local runtime drive it
through MetaSimulator (accounts, what customers publish, faults, webhooks) and read back what it saw:
`requests_log`, `created_comments()`, `spec_violations`.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .api import MetaApi
from .faults import Fault
from .paging import Cursors
from .scenario import Scenario
from .spec import load_meta_spec
from .store import Store
from .usage import Usage
from .webhooks import Callback, Delivery, Subscription, Webhooks
from .wire import Reply, server_error, throttled

SIM_APP = {"id": "880000000000001", "name": "socialcare"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a request stuck in a timeout fault must not block stop()
    request_queue_size = 128
    sim: MetaSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # headers and body leave in one write, flushed after each request
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Without this, a small answer waits for the client's delayed ACK (about 40 ms per call).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        self.server.sim._serve(self)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass


def _params(query: str, raw: bytes, content_type: str) -> dict[str, str]:
    """Graph reads parameters from the query string and from a form or JSON body alike."""
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if raw and content_type.startswith("application/json"):
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        if isinstance(body, dict):
            params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    elif raw:
        params.update(
            {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        )
    return params


class MetaSimulator(Scenario):
    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        app: dict | None = None,
        object_budget: int = 4800,
        app_budget: int = 200_000,
        usage_window: timedelta = timedelta(hours=1),
        page_throttle_code: int = 80001,
        spec_dir: Path | None = None,
        queued_webhooks: bool = False,
        echo_page_comments: bool = True,
    ):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.app = dict(app or SIM_APP)
        self.store = Store()
        self.usage = Usage(
            self.clock,
            object_budget=object_budget,
            app_budget=app_budget,
            window=usage_window,
            page_throttle_code=page_throttle_code,
        )
        self.cursors = Cursors(self.clock)
        self.webhooks = Webhooks(self.clock, queued=queued_webhooks)
        self.echo_page_comments = echo_page_comments
        self.spec = load_meta_spec(Path(spec_dir)) if spec_dir else None
        self.requests_log: list[dict] = []
        self.spec_violations: list[str] = []
        self._faults: list[tuple[str, re.Pattern, Fault]] = []
        self._lock = threading.Lock()
        self.api = MetaApi(
            self.store,
            self.clock,
            self.usage,
            self.cursors,
            self.app,
            self.spec,
            self._violation,
            self._created,
        )
        self._server: _Server | None = None
        self.base_url = ""

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.sim = self
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="metasim", daemon=True
            ).start()
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MetaSimulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- test controls ------------------------------------------------------------------------
    def fail_next(self, method: str, path_regex: str, *faults: Fault) -> None:
        """Queue faults, in order, for the next requests whose path matches (re.search)."""
        with self._lock:
            self._faults += [(method.upper(), re.compile(path_regex), f) for f in faults]

    def expire_cursors(self) -> None:
        """Every cursor handed out so far stops working, as Meta's do after a while."""
        self.cursors.expire_all()

    def subscribe(
        self, callback: Callback, verify_token: str, app_secret: str, fields: Iterable[str]
    ) -> Subscription:
        return self.webhooks.subscribe(callback, verify_token, app_secret, fields)

    def deliveries_pending(self) -> list[Delivery]:
        return self.webhooks.deliveries_pending()

    def deliver_pending(self, ids: Iterable[int] | None = None) -> list[int | None]:
        return self.webhooks.deliver_pending(ids)

    def drop_pending(self, ids: Iterable[int] | None = None) -> None:
        self.webhooks.drop_pending(ids)

    def deliver_due(self) -> list[int | None]:
        return self.webhooks.deliver_due()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, (m, pattern, _) in enumerate(self._faults):
                if m == method and pattern.search(path):
                    return self._faults.pop(i)[2]
        return None

    def _violation(self, message: str) -> None:
        with self._lock:
            self.spec_violations.append(message)

    # ---- HTTP side ----------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        method, url = h.command.upper(), urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        params = _params(url.query, raw, h.headers.get("Content-Type", ""))
        entry = {
            "method": method,
            "path": url.path,
            "params": params,
            "headers": dict(h.headers.items()),
            "status": None,
        }
        with self._lock:
            self.requests_log.append(entry)
        fault = self._take_fault(method, url.path)
        reply, payload, after = None, b"", []
        if fault is None or fault.applied or fault.kind == "edit":
            reply = self._answer(h, method, url.path, params)
            after = reply.after  # what the call did stays done, whatever the client hears
            if fault and fault.kind == "edit":
                reply.body = fault.transform(reply.body)
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        if fault and fault.kind == "timeout":
            if not fault.applied:
                reply, payload = self._fault_reply(Fault.status(503), url.path)
        elif fault and fault.kind != "edit":  # answered instead of (or, when applied, after) the call
            reply, payload = self._fault_reply(fault, url.path)
        entry["status"] = reply.status if reply else None
        if fault and fault.kind == "timeout":
            time.sleep(fault.seconds)
        try:
            if reply is None:  # a dropped connection: no status line at all
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
            else:
                self._write(h, reply, payload)
        except OSError:  # the client gave up (timeout faults)
            pass
        for work in after:
            work()

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, reply: Reply, payload: bytes) -> None:
        h.send_response(reply.status)
        h.send_header("Content-Type", reply.content_type)
        h.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(payload)
        h.wfile.flush()  # the client has its answer before any webhook this call triggers

    def _answer(self, h, method: str, path: str, params: dict[str, str]) -> Reply:
        base_url = f"http://{h.headers.get('Host', '127.0.0.1')}"
        try:
            reply = self.api.handle(method, path, params, dict(h.headers.items()), base_url)
        except Exception as exc:  # a simulator bug must reach the test as a 500, not a hang
            reply = server_error(500)
            reply.body["error"]["message"] += f" ({type(exc).__name__}: {exc})"
        if self.spec is not None:
            if reply.node is not None:
                problems = self.spec.response_errors(reply.node, method, reply.edge, reply.body)
            else:
                problems = self.spec.error_shape((reply.body or {}).get("error"))
            for problem in problems:
                self._violation(f"response {method} {path}: {problem}")
        return reply

    def _fault_reply(self, fault: Fault, path: str) -> tuple[Reply | None, bytes]:
        owner, kind = self._owner_of(path)
        if fault.kind == "drop":
            return None, b""
        if fault.kind == "malformed":
            return Reply(200, None, self.usage.headers(owner, kind)), b'{"data": [{"id": "1", "message": '
        if fault.kind == "answer":
            reply = Reply(fault.code, fault.body, {**self.usage.headers(owner, kind), **fault.headers})
            return reply, json.dumps(fault.body).encode()
        if fault.kind == "rate_limited":
            if owner:
                self.usage.exhaust(owner)
            code = fault.code if fault.code != 429 else (self.usage.codes[kind] if owner else 4)
            reply = throttled(code)
        else:
            reply = server_error(fault.code)
        reply.headers = self.usage.headers(owner, kind)
        return reply, json.dumps(reply.body).encode()

    def _owner_of(self, path: str) -> tuple[str | None, str | None]:
        parts = [p for p in path.split("/") if p and not re.fullmatch(r"v\d+\.\d+", p)]
        owner = self.store.owner(parts[0]) if parts else None
        if owner is None:
            return None, None
        return owner, "pages" if owner in self.store.pages else "instagram"


__all__ = ["MetaSimulator", "SIM_APP"]
