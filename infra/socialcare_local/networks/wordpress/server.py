"""The simulated WordPress over HTTP on 127.0.0.1: one server for every site, each named by the
Host header (and path) of a request, as one machine hosting several blogs would. Faults as the X
and Meta simulators have them; every request and comment answered checked against WordPress's own
route schemas when they are at hand."""

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

from .api import Reply, WordPressApi, error
from .spec import WordPressSpec
from .store import Comment, Store, User


@dataclass(frozen=True)
class Fault:
    """One injected failure, used up by the next matching request (see fail_next)."""

    kind: str  # status, timeout, malformed, rate_limited, html, edit
    code: int = 503
    seconds: float = 0.0
    applied: bool = False  # timeout: the request still takes effect (posted, the answer lost)
    retry_after: str | None = "120"
    transform: Callable[[Any], Any] | None = None  # edit: rewrites the real answer's body

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
    def rate_limited(cls, retry_after: str | None = "120") -> Fault:
        """As a host or WAF in front of WordPress answers (WordPress itself has no rate limits)."""
        return cls("rate_limited", code=429, retry_after=retry_after)

    @classmethod
    def edit(cls, transform: Callable[[Any], Any]) -> Fault:
        """The real answer with its body rewritten: a comment missing a field, a wrong type."""
        return cls("edit", code=200, transform=transform)

    @classmethod
    def html(cls, code: int = 200) -> Fault:
        """A security plugin, a maintenance page or a login wall answering HTML instead of JSON."""
        return cls("html", code=code)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    sim: WordPressSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Without this, a small answer waits for the client's delayed ACK (about 40 ms per call).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        self.server.sim._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format, *args) -> None:
        pass


class WordPressSimulator:
    def __init__(self, clock: Callable[[], datetime] | None = None, *, spec_path: Path | None = None):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = Store()
        self.api = WordPressApi(self.store, self.clock)
        self.spec = WordPressSpec.load(Path(spec_path)) if spec_path else None
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
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="wpsim", daemon=True
            ).start()
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- scenario side ----------------------------------------------------------------------
    def add_site(self, instance: str, *, gmt_offset_hours: float = 0) -> str:
        return self.store.site(instance, timedelta(hours=gmt_offset_hours)).key

    def add_user(
        self,
        instance: str,
        user_id: int,
        name: str,
        *,
        app_password: str | None = None,
        moderator: bool = False,
    ) -> str:
        """A registered user; returns the login name their application password goes with."""
        site = self.store.site(instance)
        username = re.sub(r"[^a-z0-9]+", "", name.lower()) or f"user{user_id}"
        with self.store.lock:
            user = site.users.setdefault(user_id, User(user_id, name, username))
            user.moderator = user.moderator or moderator
            if app_password:
                user.app_passwords.add(app_password)
            return user.username

    def add_article(self, instance: str, article_id: int, title: str = "") -> None:
        site = self.store.site(instance)
        with self.store.lock:
            site.articles.setdefault(article_id, title)

    def add_comment(
        self,
        instance: str,
        *,
        post: int,
        content: str,
        at: datetime,
        comment_id: int | None = None,
        parent: int = 0,
        author: int = 0,
        author_name: str | None = None,
        status: str = "approved",
        kind: str = "comment",
    ) -> int:
        site = self.store.site(instance)
        with self.store.lock:
            site.articles.setdefault(post, "")
            name = author_name or (site.users[author].name if author in site.users else "Anonymous")
            if comment_id is not None and comment_id in site.comments:
                raise ValueError(f"comment {comment_id} already exists on {site.key} (ids grow with time)")
            number = site.take_id(comment_id)
            site.comments[number] = Comment(
                number,
                post,
                parent,
                author,
                name,
                content,
                at.astimezone(UTC).replace(microsecond=0),
                status,
                kind,
            )
            return number

    def set_status(self, instance: str, comment_id: int, status: str) -> None:
        with self.store.lock:
            self.store.site(instance).comments[comment_id].status = status

    def created(self) -> list[dict]:
        with self.store.lock:
            return [dict(c) for c in self.store.created]

    def fail_next(self, method: str, path_regex: str, *faults: Fault) -> None:
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
        host = (h.headers.get("Host") or "").lower()
        entry = {
            "method": method,
            "host": host,
            "path": url.path,
            "query": query,
            "json": body,
            "status": None,
        }
        with self._lock:
            self.requests_log.append(entry)
        fault = self._take_fault(method, url.path)
        content_type, payload = "application/json; charset=UTF-8", b""
        if fault and fault.kind == "html":
            reply = Reply(fault.code, None)
            content_type = "text/html; charset=UTF-8"
            payload = (
                b"<!DOCTYPE html><html><body><h1>Briefly unavailable for maintenance.</h1></body></html>"
            )
        elif fault and fault.kind == "malformed":
            reply, payload = Reply(200, None), b'[{"id": 7, "post": '
        elif (
            fault
            and fault.kind in ("status", "rate_limited")
            or (fault and fault.kind == "timeout" and not fault.applied)
        ):
            reply = error(fault.code, "simulated_fault", "Simulated failure.")
            if fault.kind == "rate_limited" and fault.retry_after is not None:
                reply.headers["Retry-After"] = fault.retry_after
        else:
            reply = self._answer(method, host, url, raw, body, h.headers)
            if fault and fault.kind == "edit":
                reply.body = fault.transform(reply.body)
        if reply.body is not None:
            payload = json.dumps(reply.body).encode()
        entry["status"] = reply.status
        time.sleep(fault.seconds if fault and fault.kind == "timeout" else 0.0)
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(payload)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _answer(self, method: str, host: str, url, raw: bytes, body, headers) -> Reply:
        found = self.store.find_site(host, url.path)
        if found is None:
            return Reply(404, None)  # no such blog here: the web server's own 404 page
        site, route = found
        if self.spec is not None:
            problems = self.spec.request_errors(
                method, route, parse_qsl(url.query, keep_blank_values=True), body
            )
            self._violations("request", method, route, problems)
        try:
            reply = self.api.handle(
                site, method, route, parse_qs(url.query, keep_blank_values=True), dict(headers.items()), body
            )
        except Exception as exc:  # a simulator bug must reach the test as a 500, not a hang
            return error(500, "internal_server_error", f"{type(exc).__name__}: {exc}")
        if self.spec is not None and reply.status < 300:
            comments = reply.body if isinstance(reply.body, list) else [reply.body]
            for comment in comments:
                self._violations("response", method, route, self.spec.comment_errors(comment, reply.context))
            if isinstance(reply.body, list) and not {"X-WP-Total", "X-WP-TotalPages"} <= set(reply.headers):
                self._violations(
                    "response", method, route, ["a collection without X-WP-Total and X-WP-TotalPages"]
                )
        return reply

    def _violations(self, side: str, method: str, path: str, messages: list[str]) -> None:
        with self._lock:
            self.spec_violations += [f"{side} {method} {path}: {m}" for m in messages]
