"""What the simulated Graph answers: version prefix, token, object lookup, call budget, spec check of
the parameters, then the node or edge itself. Every answer for a page or Instagram account carries
the usage headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from . import facebook, instagram
from .fields import FieldsSyntaxError, parse_fields
from .paging import Cursors
from .render import EDGES, Renderer
from .spec import MetaSpec
from .store import Store
from .usage import Usage
from .wire import (
    Reply,
    invalid_parameter,
    no_such_object,
    throttled,
    token_invalid,
    token_missing,
    unknown_path,
)

VERSIONED = re.compile(r"^/(v\d+\.\d+)(/.*)?$")
DEFAULT_VERSION = "v25.0"
POST_EDGES = {
    ("PagePost", "comments"): "facebook",
    ("Comment", "comments"): "facebook",
    ("IGMedia", "comments"): "instagram",
    ("IGComment", "replies"): "instagram",
    ("IGUser", "mentions"): "mention",
    ("Page", "feed"): "page_post",
}


class MetaApi:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        usage: Usage,
        cursors: Cursors,
        app: dict,
        spec: MetaSpec | None,
        on_violation: Callable[[str], None],
        on_created: Callable[[str, str], None],
    ):
        self.store, self.clock, self.usage, self.cursors, self.app = store, clock, usage, cursors, app
        self.spec, self.on_violation, self.on_created = spec, on_violation, on_created

    @staticmethod
    def token_of(params: dict[str, str], headers: dict) -> str:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return params.get("access_token", "")

    def handle(self, method: str, path: str, params: dict[str, str], headers: dict, base_url: str) -> Reply:
        reply = self._handle(method, path, params, headers, base_url)
        for name, value in self.usage.headers(None, None).items():  # the app's usage goes with every answer
            reply.headers.setdefault(name, value)
        return reply

    def _handle(self, method: str, path: str, params: dict[str, str], headers: dict, base_url: str) -> Reply:
        match = VERSIONED.match(path)
        version, rest = (match.group(1), match.group(2) or "/") if match else (DEFAULT_VERSION, path)
        parts = [p for p in rest.split("/") if p]
        if not parts or len(parts) > 2:
            return unknown_path("/".join(parts[2:]) if parts else "")
        token = self.token_of(params, headers)
        if not token:
            return token_missing()
        with self.store.lock:
            if token in self.store.revoked:
                return token_invalid(self.store.revoked[token], self.clock())
            if token not in self.store.tokens:
                return token_invalid(None)
            object_id = parts[0] if parts[0] != "me" else sorted(self.store.tokens[token])[0]
        node, owner = self.store.node_type(object_id), self.store.owner(object_id)
        if node is None or owner is None or not self.store.covers(token, owner):
            return no_such_object(object_id, method)
        kind = "pages" if owner in self.store.pages else "instagram"
        code = self.usage.consume(owner, kind)
        reply = (
            throttled(code)
            if code
            else self._operation(method, node, object_id, parts, params, version, token, base_url)
        )
        reply.headers.update(self.usage.headers(owner, kind))
        return reply

    def _operation(self, method, node, object_id, parts, params, version, token, base_url) -> Reply:
        edge = parts[1] if len(parts) > 1 else None
        if self.spec is not None:
            problems = self.spec.request_errors(node, method, edge, params)
            for message, _ in problems:
                self.on_violation(message)
            refused = [message for message, refuse in problems if refuse]
            if refused:
                return invalid_parameter(refused[0])
        obj = self.store.get(node, object_id)
        if method == "GET":
            reply = self._read(node, obj, edge, params, version, token, base_url)
        elif method == "POST":
            reply = self._write(node, obj, edge, params)
        else:
            reply = no_such_object(object_id, method)
        if reply.status < 400:
            reply.node, reply.edge = node, edge
        return reply

    def _read(self, node, obj, edge, params, version, token, base_url) -> Reply:
        try:
            fields = parse_fields(params["fields"]) if params.get("fields") else None
        except FieldsSyntaxError as exc:
            return invalid_parameter(str(exc))
        renderer = Renderer(
            self.store, self.cursors, self.spec, base_url=base_url, version=version, token=token, app=self.app
        )
        if edge is None:
            body = renderer.node(node, obj, fields)
        elif edge in EDGES.get(node, {}):
            body = renderer.edge(node, obj, edge, {**params, "access_token": token}, fields)
        else:
            return unknown_path(edge)
        return body if isinstance(body, Reply) else Reply(200, body)

    def _write(self, node, obj, edge, params) -> Reply:
        now = self.clock()
        if edge is None:
            if node == "Comment":
                return facebook.update_comment(self.store, obj, params)
            if node == "IGComment":
                return instagram.hide(obj, params)
            return no_such_object(obj.id, "POST")
        network = POST_EDGES.get((node, edge))
        if network is None:
            return unknown_path(edge)
        if network == "page_post":  # a post on the page's own feed, not a reply: no on_created
            return facebook.create_page_post(self.store, obj, params, now)
        if network == "facebook":
            reply = facebook.create_comment(self.store, node, obj, params, self.app, now)
        elif network == "instagram":
            reply = instagram.reply(self.store, node, obj, params, now)
        else:
            reply = instagram.reply_to_mention(self.store, obj, params, now)
        if reply.status == 200:
            created_id = reply.body["id"]
            reply.after.append(
                lambda: self.on_created("facebook" if network == "facebook" else "instagram", created_id)
            )
        return reply
