"""The simulated Mastodon over HTTP on 127.0.0.1 (a ThreadingHTTPServer on a daemon thread): every
instance of a deployment served by one server, told apart by the account each token belongs to.

Clients talk to it with their real HTTP code; tests and the local runtime drive it through
MastodonSimulator (instances, accounts, statuses, faults) and read back what it saw."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from .api import JSON, MastodonApi, Reply, error
from .spec import load_mastodon_spec
from .store import Status, Store


@dataclass(frozen=True)
class Fault:
    """One injected failure, used up by the next matching request (see fail_next)."""

    kind: str  # status, timeout, malformed, rate_limited, answer
    code: int = 503
    seconds: float = 0.0
    applied: bool = False  # timeout: the request takes effect, its answer never arrives
    body: Any = None  # answer: this JSON body, whatever Mastodon would have said

    @classmethod
    def answer(cls, code: int, body: Any) -> Fault:
        return cls("answer", code=code, body=body)

    @classmethod
    def status(cls, code: int) -> Fault:
        return cls("status", code=code)

    @classmethod
    def timeout(cls, seconds: float, *, applied: bool = False) -> Fault:
        return cls("timeout", seconds=seconds, applied=applied)

    @classmethod
    def malformed(cls) -> Fault:
        return cls("malformed", code=200)

    @classmethod
    def rate_limited(cls) -> Fault:
        return cls("rate_limited", code=429)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    sim: MastodonSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024
    server: _Server

    def setup(self) -> None:
        super().setup()
        # With Nagle on, a small answer waits for the client's delayed ACK (about 40 ms per request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        self.server.sim._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format, *args) -> None:
        pass


class MastodonSimulator:
    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        rate_limit: int = 300,
        rate_window: timedelta = timedelta(minutes=5),
        spec_path: Path | None = None,
    ):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = Store()
        self.api = MastodonApi(self.store, self.clock, rate_limit, rate_window)
        self.spec = load_mastodon_spec(Path(spec_path)) if spec_path else None
        self.requests_log: list[dict] = []
        self.spec_violations: list[str] = []
        self._faults: list[tuple[str, re.Pattern, Fault]] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self.base_url = ""

    # ---- lifecycle ------------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.sim = self
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="mastodonsim",
                daemon=True,
            ).start()
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- scenario side ----------------------------------------------------------------------------
    def add_instance(self, host: str, max_characters: int = 500) -> None:
        self.store.add_instance(host, max_characters)
        self.store.instances[host]["max_characters"] = max_characters

    def add_account(self, username: str, instance: str, account_id: str | None = None) -> str:
        return self.store.add_account(account_id, username, instance).id

    def grant_token(self, account_id: str, token: str) -> None:
        with self.store.lock:
            self.store.tokens[token] = account_id

    def publish(
        self,
        *,
        author_id: str,
        text: str,
        created_at: datetime,
        status_id: str | None = None,
        in_reply_to_id: str | None = None,
        visibility: str = "public",
        language: str | None = None,
        notify: tuple[str, ...] = (),
        application: str | None = "Web",
    ) -> str:
        """A status appears: its @mentions (and `notify`) get mention notifications."""
        with self.store.lock:
            author = self.store.accounts[author_id]
            mentions = self.store.mentioned(text, author)
            mentions += [each for each in notify if each not in mentions]
            status = Status(
                id=status_id or self.store.new_status_id(created_at),
                account_id=author_id,
                text=text,
                created_at=created_at,
                visibility=visibility,
                in_reply_to_id=in_reply_to_id,
                language=language,
                mentions=mentions,
                application=application,
            )
            self.store.add_status(status)
            return status.id

    def created_statuses(self) -> list[dict]:
        with self.store.lock:
            return [dict(each) for each in self.store.created]

    def statuses_by(self, account_id: str) -> list[Status]:
        with self.store.lock:
            return [s for s in self.store.statuses.values() if s.account_id == account_id]

    def fail_next(self, method: str, path_regex: str, *faults: Fault) -> None:
        with self._lock:
            self._faults += [(method.upper(), re.compile(path_regex), f) for f in faults]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, (m, pattern, _) in enumerate(self._faults):
                if m == method and pattern.search(path):
                    return self._faults.pop(i)[2]
        return None

    # ---- HTTP side --------------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        method, url = h.command.upper(), urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        query = parse_qs(url.query, keep_blank_values=True)
        headers = dict(h.headers.items())
        entry = {
            "method": method,
            "path": url.path,
            "query": query,
            "headers": headers,
            "json": body,
            "status": None,
        }
        with self._lock:
            self.requests_log.append(entry)
        fault = self._take_fault(method, url.path)
        if fault is not None and not fault.applied:
            reply, payload = self._fault_reply(fault, headers)
        else:
            reply = self._answer(method, url, query, headers, raw, body)
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        entry["status"] = reply.status
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.seconds)
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

    def _answer(self, method: str, url, query: dict, headers: dict, raw: bytes, body: Any) -> Reply:
        pairs = parse_qsl(url.query, keep_blank_values=True)
        in_spec = False
        if self.spec is not None:
            in_spec, errors = self.spec.request_errors(
                method, url.path, pairs, headers, raw, headers.get("Content-Type", "")
            )
            self._violations("request", method, url.path, errors)
        try:
            reply = self.api.handle(method, url.path, query, headers, body)
        except Exception as exc:  # a simulator bug must reach the test as a 500, not a hang
            reply = error(500, f"{type(exc).__name__}: {exc}")
        if in_spec:
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
            self._violations(
                "response",
                method,
                url.path,
                self.spec.response_errors(
                    method, url.path, pairs, reply.status, JSON, payload, reply.headers
                ),
            )
        return reply

    def _violations(self, side: str, method: str, path: str, messages: list[str]) -> None:
        with self._lock:
            self.spec_violations += [f"{side} {method} {path}: {m}" for m in messages]

    def _fault_reply(self, fault: Fault, headers: dict) -> tuple[Reply, bytes]:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ") or None
        rate = self.api.rate_headers(token, consume=False)
        if fault.kind == "malformed":
            return Reply(200, None, rate), b'[{"id": "1", "type": "mention", "status": '  # cut off
        if fault.kind == "answer":
            return Reply(fault.code, fault.body, rate), json.dumps(fault.body).encode()
        if fault.kind == "rate_limited":
            end = self.clock() + self.api.window
            rate.update(
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": end.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                }
            )
            reply = Reply(429, {"error": "Too many requests"}, rate)
        else:
            reply = Reply(fault.code, {"error": "Service Unavailable"}, rate)
        return reply, json.dumps(reply.body).encode()
