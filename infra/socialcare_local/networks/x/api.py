"""What the simulated X answers: routing, auth, rate limits, timelines, creating posts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

from oauthlib.oauth1.rfc5849 import signature, utils

from .store import Post, RateState, Store
from .wire import (
    Reply,
    decode_token,
    encode_token,
    includes,
    invalid_request,
    problem,
    rate_headers,
    rate_limited,
    render_post,
    render_user,
)

ID_RE = re.compile(r"^[0-9]{1,19}$")
ROUTES = [  # (method, path pattern, route name); paths exactly as in the spec
    ("GET", re.compile(r"^/2/users/(?P<id>[^/]+)/mentions$"), "mentions"),
    ("GET", re.compile(r"^/2/users/(?P<id>[^/]+)/tweets$"), "tweets"),
    ("POST", re.compile(r"^/2/tweets$"), "create"),
    ("GET", re.compile(r"^/2/users/me$"), "me"),
    ("GET", re.compile(r"^/2/users/by/username/(?P<username>[^/]+)$"), "by_username"),
]


def _csv(query: dict[str, list[str]], name: str) -> set[str]:
    return {part for value in query.get(name, []) for part in value.split(",") if part}


class XApi:
    def __init__(self, store: Store, clock, creds: dict, limits: dict):
        self.store, self.clock, self.creds, self.limits = store, clock, creds, limits

    # ---- routing, auth, rate limits -----------------------------------------------------
    @staticmethod
    def route(method: str, path: str) -> tuple[str, dict] | None:
        for route_method, pattern, name in ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                return name, match.groupdict()
        return None

    def window(self, name: str, args: dict, user_id: str | None, *, consume: bool) -> RateState:
        kind = "post" if name == "create" else "read"
        key = (name, user_id if name in ("create", "me") else next(iter(args.values()), ""))
        limit, length = self.limits[kind]
        return self.store.rate(key, limit, length, self.clock(), consume=consume)

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict, body: dict | None, url: str
    ) -> Reply:
        found = self.route(method, path)
        if found is None:
            reply = problem(404, "Not Found Error", f"No route matches {method} {path}")
            reply.headers = rate_headers(
                self.store.rate(("unknown",), *self.limits["read"], self.clock(), consume=False)
            )
            return reply
        name, args = found
        caller = self.authenticate(method, url, headers)
        if isinstance(caller, Reply):
            caller.headers = rate_headers(self.window(name, args, None, consume=False))
            return caller
        if name in ("create", "me") and caller is None:  # app-only bearer on a user-context endpoint
            reply = problem(
                403,
                "Unsupported Authentication",
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
                "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                "https://api.twitter.com/2/problems/unsupported-authentication",
            )
            reply.headers = rate_headers(self.window(name, args, None, consume=False))
            return reply
        state = self.window(name, args, caller, consume=True)
        if not state.allowed:
            reply = rate_limited()
        elif name == "create":
            reply = self.create(caller, body)
        elif name == "me":
            reply = Reply(200, {"data": render_user(self.store.ensure_user(caller))})
        elif name == "by_username":
            reply = self.user_by_name(args["username"])
        else:
            reply = self.timeline(name, args["id"], query)
        reply.headers = rate_headers(state)
        return reply

    def authenticate(self, method: str, url: str, headers: dict) -> str | None | Reply:
        """The caller's user id, None for the app's bearer token, or a 401 Reply."""
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if auth.startswith("Bearer ") and auth[7:] == self.creds["bearer_token"]:
            return None
        if auth[:6].lower() == "oauth ":
            user = self._verify_oauth1(method, url, auth)
            if user:
                return user
        return problem(401, "Unauthorized", "Unauthorized")

    def _verify_oauth1(self, method: str, url: str, auth: str) -> str | None:
        try:
            oauth = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(auth)}
        except ValueError:
            return None
        granted = self.store.token(oauth.get("oauth_token", ""))
        if (
            oauth.get("oauth_consumer_key") != self.creds["consumer_key"]
            or granted is None
            or oauth.get("oauth_signature_method") != "HMAC-SHA1"
        ):
            return None
        # The JSON body is not signed (RFC 5849 signs form bodies only); the query string is.
        params = signature.collect_parameters(
            uri_query=url.partition("?")[2], headers={"Authorization": auth}
        )
        request = SimpleNamespace(
            params=params, uri=url, http_method=method, signature=oauth.get("oauth_signature", "")
        )
        ok = signature.verify_hmac_sha1(request, self.creds["consumer_secret"], granted[0])
        return granted[1] if ok else None

    # ---- endpoints ---------------------------------------------------------------------
    def timeline(self, kind: str, user_id: str, query: dict[str, list[str]]) -> Reply:
        first = {name: values[0] for name, values in query.items() if values}
        if user_id not in self.store.users:
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        max_results = first.get("max_results", "10")
        if not max_results.isdigit() or not 5 <= int(max_results) <= 100:
            return invalid_request(
                [
                    (
                        "max_results",
                        f"The `max_results` query parameter value [{max_results}] is not between 5 and 100",
                    )
                ],
                query,
            )
        posts = self.store.select(kind, user_id)
        for name, newer in (("since_id", True), ("until_id", False)):
            if name in first:
                if not ID_RE.match(first[name]):
                    return invalid_request(
                        [(name, f"The `{name}` query parameter value is not valid")], query
                    )
                posts = [p for p in posts if self._after(p, first[name]) == newer and p.id != first[name]]
        for name, newer in (("start_time", True), ("end_time", False)):
            if name in first:
                try:
                    bound = datetime.fromisoformat(first[name].replace("Z", "+00:00"))
                    bound = bound if bound.tzinfo else bound.replace(tzinfo=UTC)
                except ValueError:
                    return invalid_request(
                        [(name, f"The `{name}` query parameter value is not valid")], query
                    )
                posts = [p for p in posts if (p.created_at >= bound) == newer]
        if "pagination_token" in first:
            cursor = decode_token(first["pagination_token"])
            if cursor is None:
                return invalid_request(
                    [
                        (
                            "pagination_token",
                            "The `pagination_token` query parameter value "
                            f"[{first['pagination_token']}] is not valid",
                        )
                    ],
                    query,
                )
            posts = [p for p in posts if p.seq < cursor]
        page = posts[: int(max_results)]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        meta = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
        if len(posts) > len(page):
            meta["next_token"] = encode_token(page[-1].seq)
        fields = _csv(query, "tweet.fields")
        body = {"data": [render_post(self.store, p, fields) for p in page], "meta": meta}
        expanded = includes(self.store, page, _csv(query, "expansions"), fields)
        if expanded:
            body["includes"] = expanded
        return Reply(200, body)

    def _after(self, post: Post, other_id: str) -> bool:
        """Arrival order when the other post is known; numeric id order (as on X) otherwise."""
        other = self.store.seq_of(other_id)
        return post.seq > other if other is not None else int(post.id) > int(other_id)

    def create(self, author_id: str, body: dict | None) -> Reply:
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return invalid_request([("text", "Post text must not be empty")], {"text": [str(text or "")]})
        reply = body.get("reply")
        parent_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
        with self.store.lock:  # the checks and the insert are one step
            if parent_id and parent_id not in self.store.posts:
                return problem(
                    403,
                    "Forbidden",
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                )
            if len(text) > 280:
                return problem(403, "Forbidden", "Your Post text is too long (more than 280 characters).")
            if self.store.has_duplicate(author_id, text):
                return problem(
                    403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
                )
            now = self.clock()
            post = self.store.add_post(
                post_id=self.store.new_id(now),
                author_id=author_id,
                text=text,
                created_at=now,
                in_reply_to_id=parent_id,
            )
            self.store.created.append(
                {
                    "id": post.id,
                    "author_id": author_id,
                    "text": text,
                    "in_reply_to_id": parent_id,
                    "created_at": now,
                }
            )
        return Reply(201, {"data": {"id": post.id, "text": text, "edit_history_tweet_ids": [post.id]}})

    def user_by_name(self, username: str) -> Reply:
        user = self.store.by_username(username)
        if user is None:
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": username,
                            "detail": f"Could not find user with username: [{username}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "username",
                            "resource_id": username,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        return Reply(200, {"data": render_user(user)})
