"""The simulated Bluesky over HTTP on 127.0.0.1 (a ThreadingHTTPServer on a daemon thread): XRPC at
/xrpc/<nsid>. The clients under test talk to it with their real HTTP code; tests and the local
runtime drive it through BlueskySimulator (accounts, posts, faults) and read back what it saw.
Every request and answer is checked against the official lexicons when they are given."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..x.server import Fault  # the same kinds of injected failure as the simulated X
from .api import BlueskyApi, Reply, iso, xrpc_error
from .lexicon import Lexicons

_XRPC = re.compile(r"/xrpc/([A-Za-z0-9.-]+)")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a request stuck in a timeout fault must not block stop()
    request_queue_size = 128
    sim: BlueskySimulator


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

    do_GET = do_POST = _serve

    def log_message(self, format, *args) -> None:
        pass


class BlueskySimulator:
    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        spec_path: Path | None = None,
        read_limit: int = 3000,
        write_limit: int = 5000,
    ):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.api = BlueskyApi(
            self.clock,
            read_limit=(read_limit, timedelta(minutes=5)),
            write_limit=(write_limit, timedelta(hours=1)),
        )
        self.spec = Lexicons(spec_path) if spec_path else None
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
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="bskysim", daemon=True
            ).start()
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- scenario side ----------------------------------------------------------------------
    def add_account(self, did: str, handle: str, app_password: str | None = None) -> None:
        self.api.add_actor(did, handle, app_password)

    def publish(
        self,
        *,
        uri: str,
        text: str,
        at: datetime,
        handle: str | None = None,
        in_reply_to: str | None = None,
        quote: str | None = None,
        lang: str | None = None,
    ) -> None:
        """A post appears (indexed at `at`). Each @handle of a known account in the text becomes a
        mention facet; a reply names its parent and that parent's thread root with strong refs."""
        author = uri.removeprefix("at://").split("/")[0]
        with self.api.lock:
            if handle:
                self.api.add_actor(author, handle)
            elif author not in self.api.actors:
                self.api.add_actor(author, f"{author.split(':')[-1][:20]}.bsky.social")
            record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": iso(at)}
            if lang:
                record["langs"] = [lang]
            facets = self._facets(text)
            if facets:
                record["facets"] = facets
            if in_reply_to:
                parent = self.api.posts.get(in_reply_to) or self._placeholder(in_reply_to, at)
                root = (parent.record.get("reply") or {}).get("root") or {
                    "uri": parent.uri,
                    "cid": parent.cid,
                }
                record["reply"] = {"root": root, "parent": {"uri": parent.uri, "cid": parent.cid}}
            if quote:
                quoted = self.api.posts.get(quote) or self._placeholder(quote, at)
                record["embed"] = {
                    "$type": "app.bsky.embed.record",
                    "record": {"uri": quoted.uri, "cid": quoted.cid},
                }
            self.api.add_post(uri, record, at)

    def _placeholder(self, uri: str, at: datetime):
        """A post a line names but no line created (an older thread): created when first named."""
        author = uri.removeprefix("at://").split("/")[0]
        if author not in self.api.actors:
            self.api.add_actor(author, f"{author.split(':')[-1][:20]}.bsky.social")
        record = {
            "$type": "app.bsky.feed.post",
            "text": "(earlier post)",
            "createdAt": iso(at - timedelta(hours=1)),
        }
        return self.api.add_post(uri, record, at - timedelta(hours=1))

    def _facets(self, text: str) -> list[dict]:
        facets = []
        for match in re.finditer(r"(?<![\w.-])@([a-zA-Z0-9.-]+[a-zA-Z0-9])", text):
            actor = self.api.actor(match.group(1))
            if actor is None:
                continue
            start = len(text[: match.start()].encode())
            facets.append(
                {
                    "index": {"byteStart": start, "byteEnd": start + len(match.group().encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": actor.did}],
                }
            )
        return facets

    def created_posts(self) -> list[dict]:
        with self.api.lock:
            return [dict(post) for post in self.api.created]

    @property
    def logins(self) -> int:
        """How many times createSession succeeded."""
        return len(self.api.logins)

    def fail_next(self, method: str, nsid_regex: str, *faults: Fault) -> None:
        """Queue faults, in order, for the next requests whose NSID matches (re.search)."""
        with self._lock:
            self._faults += [(method.upper(), re.compile(nsid_regex), f) for f in faults]

    def _take_fault(self, method: str, nsid: str) -> Fault | None:
        with self._lock:
            for i, (m, pattern, _) in enumerate(self._faults):
                if m == method and pattern.search(nsid):
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
        match = _XRPC.fullmatch(url.path)
        nsid = match.group(1) if match else ""
        entry = {"method": method, "nsid": nsid, "query": query, "json": body, "status": None}
        with self._lock:
            self.requests_log.append(entry)
        fault = self._take_fault(method, nsid)
        if fault and fault.kind == "edit":
            reply = self._answer(method, nsid, query, dict(h.headers.items()), body)
            reply.body = fault.transform(reply.body)
            payload = json.dumps(reply.body).encode()
        elif fault and not fault.applied:
            reply, payload = self._fault_reply(fault, method)
        else:
            reply = self._answer(method, nsid, query, dict(h.headers.items()), body)
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        entry["status"] = reply.status
        time.sleep(fault.seconds if fault and fault.kind == "timeout" else 0.0)
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(payload)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout faults)
            pass

    def _answer(self, method: str, nsid: str, query: dict, headers: dict, body: Any) -> Reply:
        if not nsid:
            return xrpc_error(404, "NotFound", "not an XRPC path")
        if self.spec is not None:
            errors = self.spec.request_errors(method, nsid, query, body)
            self._violations("request", method, nsid, errors)
            if errors:
                return xrpc_error(400, "InvalidRequest", "; ".join(errors)[:500])
        try:
            reply = self.api.handle(method, nsid, query, headers, body)
        except Exception as exc:  # a simulator bug must reach the test as a 500, not a hang
            reply = xrpc_error(500, "InternalServerError", f"{type(exc).__name__}: {exc}")
        if self.spec is not None:
            self._violations(
                "response", method, nsid, self.spec.response_errors(nsid, reply.status, reply.body)
            )
        return reply

    def _violations(self, side: str, method: str, nsid: str, messages: list[str]) -> None:
        with self._lock:
            self.spec_violations += [f"{side} {method} {nsid}: {m}" for m in messages]

    def _fault_reply(self, fault: Fault, method: str) -> tuple[Reply, bytes]:
        headers = self.api.peek_headers(method)
        if fault.kind == "malformed":
            return Reply(200, None, headers), b'{"notifications": [{"uri": "at://'  # cut off mid-body
        if fault.kind == "answer":
            return Reply(fault.code, fault.body, {**headers, **fault.headers}), json.dumps(
                fault.body
            ).encode()
        if fault.kind == "rate_limited":
            reset = int((self.clock() + timedelta(minutes=5)).timestamp())
            reply = xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded")
            reply.headers = {**headers, "ratelimit-remaining": "0", "ratelimit-reset": str(reset)}
        else:
            phrase = HTTPStatus(fault.code).phrase if fault.code in HTTPStatus._value2member_map_ else "Error"
            reply = xrpc_error(fault.code, "InternalServerError" if fault.code >= 500 else "Error", phrase)
            reply.headers = headers
        return reply, json.dumps(reply.body).encode()


__all__ = ["BlueskySimulator", "Fault"]
