"""Lambda function URLs, served on 127.0.0.1: moto does not serve them, so a network simulator's
webhooks could not reach the function otherwise.

Each HTTP request becomes the event Lambda sends (payload format 2.0: rawPath, rawQueryString,
headers, body, isBase64Encoded, requestContext.http), the function's answer becomes the HTTP
response (statusCode, headers, body), and a handler that raises answers 502 as Lambda does. After
answering, `after` runs (the stack pumps the tickets stream, as Lambda's event source mapping would
within a second). Invocations hold the deployment's lock: handlers share one process environment.
"""

import base64
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .deployment import LocalDeployment

MAX_PAYLOAD = 6 * 1024 * 1024  # Lambda's limit on a synchronous request: 413 above it
_TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/xml")


def url_event(method: str, target: str, headers: dict[str, str], body: bytes, domain: str) -> dict:
    """The function URL event for one request (a binary body is base64-encoded, as Lambda does)."""
    parts = urlsplit(target)
    content_type = headers.get("content-type", "")
    text = None
    if content_type.startswith(_TEXT_TYPES) or not body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path or "/",
        "rawQueryString": parts.query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": domain.split(".")[0],
            "domainName": domain,
            "domainPrefix": domain.split(".")[0],
            "http": {
                "method": method,
                "path": parts.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": text is None,
    }
    if body:
        event["body"] = text if text is not None else base64.b64encode(body).decode()
    return event


def http_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """What Lambda makes of a handler's result: a dict with statusCode is a response, anything else
    is a 200 JSON body."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, {"content-type": "application/json"}, json.dumps(result).encode()
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
    headers.setdefault("content-type", "application/json")
    return int(result["statusCode"]), headers, raw


class FunctionUrlServer:
    def __init__(
        self,
        deployment: "LocalDeployment",
        function_id: str,
        *,
        after: Callable[[], Any] | None = None,
    ):
        self.deployment = deployment
        self.function_id = function_id
        self.after = after
        self.url = ""
        self.requests: list[dict] = []  # method, path, status, seconds (the invocation's)
        self.received = 0  # requests ever received: a change means more work arrived
        self._busy = 0
        self._closed = False
        self._idle = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.owner = self  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._server = server
        # Like the real one: https://<id>.lambda-url.<region>.on.aws/ (here plain http, local).
        self.url = f"http://127.0.0.1:{server.server_address[1]}/"
        return self.url

    def stop(self) -> None:
        """New requests are refused (503: the sender retries); those under way finish first."""
        self._closed = True
        self.wait_idle()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def idle(self) -> bool:
        with self._idle:
            return self._busy == 0

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until every request received has been answered and its `after` work done."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._busy == 0, timeout):
                raise TimeoutError(f"function URL of {self.function_id} still busy after {timeout}s")

    def _invoke(self, event: dict) -> tuple[int, dict[str, str], bytes]:
        started = time.perf_counter()
        try:
            with self.deployment.lock:
                result = self.deployment.invoke(self.function_id, event)
            status, headers, body = http_response(result)
        except Exception:  # the handler raised: Lambda answers 502 and logs the error
            status, headers, body = (
                502,
                {"content-type": "application/json"},
                b'{"Message":"Internal Server Error"}',
            )
        method, path = event["requestContext"]["http"]["method"], event["rawPath"]
        self.requests.append(
            {"method": method, "path": path, "status": status, "seconds": time.perf_counter() - started}
        )
        return status, headers, body

    def _begin(self) -> bool:
        with self._idle:
            if self._closed:
                return False
            self._busy += 1
            self.received += 1
            return True

    def _end(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stalls

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass

    def _serve(self) -> None:
        owner: FunctionUrlServer = self.server.owner  # type: ignore[attr-defined]
        if not owner._begin():
            self._write(503, {"content-type": "application/json"}, b'{"Message":"Service Unavailable"}')
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_PAYLOAD:
                self._write(413, {"content-type": "application/json"}, b'{"Message":"Request too large"}')
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            host = f"local.lambda-url.{owner.deployment.region}.on.aws"
            event = url_event(self.command, self.path, headers, body, host)
            self._write(*owner._invoke(event))
            if owner.after is not None:
                with owner.deployment.lock:
                    owner.after()
        finally:
            owner._end()

    def _write(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve
