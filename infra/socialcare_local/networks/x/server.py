"""The simulated X API v2 over HTTP on 127.0.0.1 (a ThreadingHTTPServer on a daemon thread).

The clients under test talk to it with their real HTTP code; tests and the local runtime drive
it through XSimulator (users, posts that appear, faults) and read back what it saw.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from .api import XApi
from .spec import load_x_spec
from .store import Store
from .wire import JSON, Reply, invalid_request, problem, rate_headers, rate_limited


@dataclass(frozen=True)
class Fault:
    """One injected failure, used up by the next matching request (see XSimulator.fail_next)."""

    kind: str
    code: int = 503
    seconds: float = 0.0
    applied: bool = False
    body: Any = None  # answer: the JSON body sent as it is
    headers: dict | None = None  # answer: headers added to the rate headers
    transform: Callable[[Any], Any] | None = None  # edit: rewrites the real answer's body

    @classmethod
    def status(cls, code: int) -> Fault:
        return cls("status", code=code)

    @classmethod
    def timeout(cls, seconds: float, *, applied: bool = False) -> Fault:
        """Answer only after `seconds`, so the client's timeout fires first. With applied=True the
        request still takes effect (X created the post, the client never heard)."""
        return cls("timeout", code=503, seconds=seconds, applied=applied)

    @classmethod
    def malformed(cls) -> Fault:
        return cls("malformed", code=200)

    @classmethod
    def rate_limited(cls) -> Fault:
        return cls("rate_limited", code=429)

    @classmethod
    def answer(cls, code: int, body: Any, headers: dict | None = None) -> Fault:
        """Answer exactly this, whatever X would have said (off-spec shapes included)."""
        return cls("answer", code=code, body=body, headers=headers or {})

    @classmethod
    def edit(cls, transform: Callable[[Any], Any]) -> Fault:
        """Serve the real answer with its body rewritten: a post missing a field, a broken cursor."""
        return cls("edit", code=200, transform=transform)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a request stuck in a timeout fault must not block stop()
    request_queue_size = 128  # clients polling in parallel must not find the backlog full
    sim: XSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # headers and body leave in one write, flushed after each request
    tcp_nodelay = True  # off only in the benchmark, to show the stall it removes
    server: _Server

    def setup(self) -> None:
        super().setup()
        # With Nagle on, a small answer waits for the client's delayed ACK (about 40 ms per request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(self.tcp_nodelay))

    def _serve(self) -> None:
        self.server.sim._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass


class XSimulator:
    # The default credentials are the simulator's own, not secrets.
    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        bearer_token: str = "sim-bearer",  # noqa: S107
        consumer_key: str = "sim-consumer-key",
        consumer_secret: str = "sim-consumer-secret",  # noqa: S107
        access_token: str = "sim-access-token",  # noqa: S107
        access_token_secret: str = "sim-access-secret",  # noqa: S107
        post_limit: int = 100,
        post_window: timedelta = timedelta(minutes=15),
        read_limit: int = 450,
        read_window: timedelta = timedelta(minutes=15),
        spec_path: Path | None = None,
    ):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = Store()
        self._default_token = (access_token, access_token_secret)
        creds = {
            "bearer_token": bearer_token,
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
        }
        limits = {"post": (post_limit, post_window), "read": (read_limit, read_window)}
        self.api = XApi(self.store, self.clock, creds, limits)
        self.spec = load_x_spec(Path(spec_path)) if spec_path else None
        self.requests_log: list[dict] = []
        self.spec_violations: list[str] = []
        self._faults: list[tuple[str, re.Pattern, Fault]] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self.base_url = ""

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.sim = self
            # A short poll interval keeps stop() fast.
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="xsim", daemon=True
            ).start()
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> XSimulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- scenario side ----------------------------------------------------------------------
    def add_user(self, user_id: str, username: str, name: str | None = None) -> None:
        self.store.add_user(user_id, username, name)
        if self.store.token(self._default_token[0]) is None:  # default tokens act as the first user
            self.grant_user_token(user_id, *self._default_token)

    def remove_user(self, user_id: str) -> None:
        """The account is gone (deactivated): X then answers its timelines with a 200 of errors."""
        with self.store.lock:
            self.store.users.pop(user_id, None)

    def grant_user_token(self, user_id: str, access_token: str, access_token_secret: str) -> None:
        self.store.ensure_user(user_id)
        self.store.grant_token(user_id, access_token, access_token_secret)

    def regenerate_tokens(
        self, user_id: str, access_token: str, access_token_secret: str, bearer_token: str | None = None
    ) -> None:
        """As regenerating keys in X's developer portal: the user's old access tokens (and the app's
        old bearer token, when a new one is given) stop working at once; the new ones work."""
        with self.store.lock:
            for token, (_, owner) in list(self.store.tokens.items()):
                if owner == user_id:
                    del self.store.tokens[token]
            self.store.grant_token(user_id, access_token, access_token_secret)
            if bearer_token is not None:
                self.api.creds["bearer_token"] = bearer_token

    def publish(
        self,
        *,
        post_id: str,
        author_id: str,
        text: str,
        created_at: datetime,
        conversation_id: str | None = None,
        in_reply_to_id: str | None = None,
        lang: str | None = None,
        mentions=(),
    ) -> None:
        self.store.add_post(
            post_id=post_id,
            author_id=author_id,
            text=text,
            created_at=created_at,
            conversation_id=conversation_id,
            in_reply_to_id=in_reply_to_id,
            lang=lang,
            mentions=mentions,
        )

    def created_posts(self) -> list[dict]:
        with self.store.lock:
            return [dict(p) for p in self.store.created]

    def fail_next(self, method: str, path_regex: str, *faults: Fault) -> None:
        """Queue faults, in order, for the next requests whose path matches (re.search)."""
        with self._lock:
            self._faults += [(method.upper(), re.compile(path_regex), f) for f in faults]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, (m, pattern, _) in enumerate(self._faults):
                if m == method and pattern.search(path):
                    return self._faults.pop(i)[2]
        return None

    # ---- HTTP side ----------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        method, url = h.command.upper(), urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        query = parse_qs(url.query, keep_blank_values=True)
        entry = {
            "method": method,
            "path": url.path,
            "query": query,
            "headers": dict(h.headers.items()),
            "json": body,
            "status": None,
        }
        with self._lock:
            self.requests_log.append(entry)
        fault = self._take_fault(method, url.path)
        delay = fault.seconds if fault and fault.kind == "timeout" else 0.0
        if fault and fault.kind == "edit":
            reply = self._answer(h, method, url, query, raw, body)
            reply.body = fault.transform(reply.body)
            payload = json.dumps(reply.body).encode()
        elif fault and not fault.applied:
            reply, payload = self._fault_reply(fault, method, url.path)
        else:
            reply = self._answer(h, method, url, query, raw, body)
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        entry["status"] = reply.status
        time.sleep(delay)
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(payload)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout faults)
            pass

    def _answer(self, h, method: str, url, query: dict, raw: bytes, body) -> Reply:
        pairs = parse_qsl(url.query, keep_blank_values=True)
        headers = dict(h.headers.items())
        in_spec = False
        reply = None
        if self.spec is not None:
            in_spec, errors = self.spec.request_errors(
                method, url.path, pairs, headers, raw, h.headers.get("Content-Type", "")
            )
            self._violations("request", method, url.path, [m for _, m in errors])
            if errors and in_spec:
                named = [
                    (
                        n,
                        f"The `{n}` query parameter value [{','.join(query.get(n, []))}] is not valid: {m}"
                        if n
                        else m,
                    )
                    for n, m in errors
                ]
                reply = invalid_request(named, query)
                reply.headers = rate_headers(self._peek(method, url.path))
        if reply is None:
            full_url = f"http://{h.headers.get('Host', '127.0.0.1')}{h.path}"
            try:
                reply = self.api.handle(method, url.path, query, headers, body, full_url)
            except Exception as exc:  # a simulator bug must reach the test as a 500, not a hang
                reply = problem(500, "Internal Server Error", f"{type(exc).__name__}: {exc}")
        if in_spec:
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
            self._violations(
                "response",
                method,
                url.path,
                self.spec.response_errors(
                    method, url.path, pairs, reply.status, reply.content_type, payload, reply.headers
                ),
            )
        return reply

    def _violations(self, side: str, method: str, path: str, messages: list[str]) -> None:
        with self._lock:
            self.spec_violations += [f"{side} {method} {path}: {m}" for m in messages]

    def _peek(self, method: str, path: str):
        found = self.api.route(method, path)
        name, args = found if found else ("unknown", {})
        return self.api.window(name, args, None, consume=False)

    def _fault_reply(self, fault: Fault, method: str, path: str) -> tuple[Reply, bytes]:
        headers = rate_headers(self._peek(method, path))
        if fault.kind == "malformed":
            return Reply(200, None, JSON, headers), b'{"data": [{"id": "1", "text": '  # cut off mid-body
        if fault.kind == "answer":
            payload = json.dumps(fault.body).encode()
            return Reply(fault.code, fault.body, JSON, {**headers, **fault.headers}), payload
        if fault.kind == "rate_limited":
            reply = rate_limited()
            limit, length = self.api.limits["post" if method == "POST" else "read"]
            headers.update(
                {
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(int((self.clock() + length).timestamp())),
                }
            )
        else:
            phrase = HTTPStatus(fault.code).phrase if fault.code in HTTPStatus._value2member_map_ else "Error"
            reply = problem(fault.code, phrase, phrase)
        reply.headers = headers
        return reply, json.dumps(reply.body).encode()


__all__ = ["Fault", "XSimulator"]
