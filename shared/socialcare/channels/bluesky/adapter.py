"""Bluesky over XRPC: notifications (mentions, replies, quotes) and the brand's author feed read with
a kept login session; replies written with com.atproto.repo.createRecord."""

import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from ... import clock
from ...domain.posts import Post
from ..base import (
    AccountUnavailable,
    AuthenticationFailed,
    Page,
    PermanentError,
    Quarantined,
    RateLimited,
    ReplyTarget,
    SessionStore,
    StatusesLikeReplies,
    TransientError,
    ensure_fits,
)
from .cursor import Position
from .graphemes import grapheme_length
from .parse import (
    POST_URI,
    REASONS,
    Malformed,
    clean,
    mark_of,
    notification_post,
    quarantine,
    strong_ref,
    view_post,
)
from .session import MemorySessionStore, Session
from .times import record_time

if TYPE_CHECKING:  # imported by the first call: adapters are built at wiring, calls come later
    import requests

    from .account import BlueskyAccount

logger = Logger(child=True)

NOTIFICATIONS = "app.bsky.notification.listNotifications"
AUTHOR_FEED = "app.bsky.feed.getAuthorFeed"
GET_POSTS = "app.bsky.feed.getPosts"
CREATE_RECORD = "com.atproto.repo.createRecord"
CREATE_SESSION = "com.atproto.server.createSession"
REFRESH_SESSION = "com.atproto.server.refreshSession"
POST_COLLECTION = "app.bsky.feed.post"
RECONCILE_PAGES = 3  # how far back the author feed is searched for a reply whose answer was lost
_FALLBACK_WINDOW = timedelta(minutes=5)  # no usable ratelimit-reset: Bluesky's usual window
RESET_BOUNDS = (timedelta(seconds=1), timedelta(hours=24))
_RESET = re.compile(r"\s*[0-9]{1,30}\s*")
_TOKEN = re.compile(r"[\x21-\x7e]{1,1024}")  # Bluesky's paging cursors: opaque printable ASCII
# Errors of a token the server will not take (expired, revoked, for another account): renew it.
_TOKEN_ERRORS = ("ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing")
_GONE_ACCOUNT_ERRORS = ("AccountTakedown", "AccountDeactivated", "RepoTakendown", "RepoDeactivated")
_MALFORMED = object()
_DETAIL_LENGTH = 200
# A web link in a status post; a sentence's closing punctuation is not part of it.
_LINK = re.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))")


class _TokenRefused(Exception):
    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class BlueskyAdapter(StatusesLikeReplies):
    display_name = "Bluesky"
    max_reply_length = 300
    keeps_session = True  # the container hands it a SessionStore (logins are scarce)

    def __init__(
        self,
        account: "BlueskyAccount",
        credentials: dict[str, str],
        *,
        base_url: str = "https://bsky.social",
        timeout: float = 10.0,
        session_store: SessionStore | None = None,
        session: "requests.Session | None" = None,
        page_size: int = 100,
    ):
        missing = [key for key in ("identifier", "app_password") if not credentials.get(key)]
        if missing:
            raise PermanentError(f"Bluesky credentials lack {', '.join(missing)}")
        self._account = account
        self._identifier = credentials["identifier"]
        self._password = credentials["app_password"]
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._http = session  # built by the first call
        self._page_size = max(1, min(page_size, 100))
        self._store = session_store if session_store is not None else MemorySessionStore()
        self._session: Session | None = None
        self._login_refused: str | None = None  # these credentials were refused: no new login with them

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        """Newest first, back to the last item seen; see cursor.Position."""
        position = Position.parse(cursor)
        items, token = self._listing(stream, position.token)
        posts: list[Post] = []
        quarantined: list[Quarantined] = []
        newest, reached = position.newest, False
        for item in items:
            view = item.get("post") if stream == "own" and isinstance(item, dict) else item
            if stream == "own" and isinstance(item, dict) and item.get("reason") is not None:
                continue  # a repost or a pin: not a post the brand wrote at that time
            try:
                mark = mark_of(view)
            except Malformed as error:
                quarantined.append(quarantine(item, str(error)))
                continue
            if position.floor_reached(mark, start_time):
                reached = True
                break
            newest = max(newest, mark) if newest else mark
            try:
                if stream == "own":
                    post = view_post(view)
                elif view.get("reason") in REASONS:
                    post = notification_post(view, self._account)
                else:
                    continue
            except Malformed as error:
                quarantined.append(quarantine(item, str(error)))
                continue
            posts.append(post)
        if reached or token is None or not items:
            done = Position(since=position.since, newest=newest).completed()
            return Page(posts, done.encode(), True, quarantined)
        return Page(posts, position.resume(newest, token, start_time).encode(), False, quarantined)

    def _listing(self, stream: str, token: str | None) -> tuple[list, str | None]:
        if stream == "notifications":
            nsid, key = NOTIFICATIONS, "notifications"
            params: dict[str, Any] = {"limit": self._page_size, "reasons": list(REASONS)}
        elif stream == "own":
            nsid, key = AUTHOR_FEED, "feed"
            params = {"actor": self._account.id, "filter": "posts_with_replies", "limit": self._page_size}
        else:
            raise PermanentError(f"Bluesky has no stream {stream!r}")
        if token is not None:
            params["cursor"] = token
        body = self._call("GET", nsid, params=params)
        items = body.get(key)
        if not isinstance(items, list):
            raise TransientError(f"Bluesky {nsid} answer has no {key} list")
        next_token = body.get("cursor")
        if next_token is not None and not (isinstance(next_token, str) and _TOKEN.fullmatch(next_token)):
            raise TransientError(f"Bluesky {nsid} answer's cursor is malformed")
        return items, next_token

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        token = None
        for _ in range(RECONCILE_PAGES):
            items, token = self._listing("own", token)
            for item in items:
                try:
                    post = (
                        view_post(item.get("post"))
                        if isinstance(item, dict) and not item.get("reason")
                        else None
                    )
                except Malformed:
                    continue
                if post is None or post.author_id != self._account.id:
                    continue
                if post.created_at < since:
                    return None
                if post.in_reply_to_id == target.post_id:
                    return post.post_id
            if token is None or not items:
                return None
        return None

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        """The parent's and root's CIDs (strong refs) are read at reply time with getPosts: one GET a
        reply, which also refuses a reply to a post deleted meanwhile before anything is written."""
        if not POST_URI.fullmatch(target.post_id):
            raise PermanentError("Bluesky can only reply to a post's at-URI")
        body = self._call("GET", GET_POSTS, params={"uris": [target.post_id]})
        views = body.get("posts")
        if not isinstance(views, list):
            raise TransientError("Bluesky getPosts answer has no posts list")
        parent_view = next((v for v in views if isinstance(v, dict) and v.get("uri") == target.post_id), None)
        if parent_view is None:
            raise PermanentError("the Bluesky post to reply to is gone")
        parent = strong_ref(parent_view)
        record = parent_view.get("record")
        if parent is None or not isinstance(record, dict):
            raise TransientError("Bluesky getPosts answered a post without a usable uri, cid or record")
        reply = record.get("reply")
        root = strong_ref(reply.get("root")) if isinstance(reply, dict) else None
        post: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": record_time(clock.now()),
            "reply": {"root": root or parent, "parent": parent},
        }
        facets = _mention_facets(text, parent_view.get("author"))
        if facets:
            post["facets"] = facets
        payload = {"repo": self._account.id, "collection": POST_COLLECTION, "record": post}
        created = self._call("POST", CREATE_RECORD, json_body=payload)
        uri = created.get("uri")
        if not isinstance(uri, str) or not POST_URI.fullmatch(uri):
            # It may be posted: the acknowledger looks for it before posting again.
            raise TransientError("Bluesky accepted the post but its answer has no uri")
        return uri

    def reply_length(self, text: str) -> int:
        return grapheme_length(text)

    def post_status(self, text: str) -> str:
        """A top-level post on the brand's feed: a post record with no `reply`; its links (a status
        page) carry link facets, or the app shows them as plain text."""
        ensure_fits(self, text)
        post: dict[str, Any] = {"$type": POST_COLLECTION, "text": text, "createdAt": record_time(clock.now())}
        facets = _link_facets(text)
        if facets:
            post["facets"] = facets
        payload = {"repo": self._account.id, "collection": POST_COLLECTION, "record": post}
        created = self._call("POST", CREATE_RECORD, json_body=payload)
        uri = created.get("uri")
        if not isinstance(uri, str) or not POST_URI.fullmatch(uri):
            raise TransientError("Bluesky accepted the status post but its answer has no uri")
        return uri

    # -- session -------------------------------------------------------------------------------

    def _call(self, method: str, nsid: str, *, params=None, json_body=None) -> dict:
        """One authenticated call. A refused token is renewed once (refresh, else a new login) and
        the call repeated; refused again, the credentials are."""
        session = self._current_session()
        try:
            return self._send(method, nsid, session.access, params=params, json_body=json_body)
        except _TokenRefused as refused:
            session = self._renew(session, refused.error)
        try:
            return self._send(method, nsid, session.access, params=params, json_body=json_body)
        except _TokenRefused as refused:
            raise AuthenticationFailed(f"Bluesky {nsid} refused a fresh session: {refused.error}") from None

    def _current_session(self) -> Session:
        if self._session is None:
            stored = Session.decode(self._store.load(self._account.key))
            self._session = stored if stored and stored.did == self._account.id else self._login()
        return self._session

    def _renew(self, stale: Session, error: str) -> Session:
        """Adopt a session another container renewed meanwhile, else refresh, else log in."""
        adopted = self._stored_other_than(stale)
        if adopted:
            return adopted
        try:
            answer = self._send("POST", REFRESH_SESSION, stale.refresh)
            session = self._keep(answer, "refreshSession")
        except _TokenRefused as refused:
            # Two containers renewing at once: the refresh token is used once, the loser adopts.
            adopted = self._stored_other_than(stale)
            if adopted:
                return adopted
            logger.info(
                "Bluesky refresh token refused; logging in again",
                account=self._account.key,
                error=refused.error,
            )
            session = self._login()
        logger.info("Bluesky session renewed", account=self._account.key, after=error)
        return session

    def _stored_other_than(self, stale: Session) -> Session | None:
        stored = Session.decode(self._store.load(self._account.key))
        if stored and stored.did == self._account.id and stored.access != stale.access:
            self._session = stored
            return stored
        return None

    def _login(self) -> Session:
        """createSession with the app password: the scarce call. Refused credentials are not tried
        again by this adapter (a rotated secret builds a new one)."""
        if self._login_refused:
            raise AuthenticationFailed(f"Bluesky refused these credentials: {self._login_refused}")
        try:
            answer = self._send(
                "POST",
                CREATE_SESSION,
                None,
                json_body={"identifier": self._identifier, "password": self._password},
            )
        except (_TokenRefused, PermanentError) as error:
            if isinstance(error, AccountUnavailable):
                raise
            self._login_refused = getattr(error, "error", None) or str(error)
            raise AuthenticationFailed(f"Bluesky refused the app password: {self._login_refused}") from None
        logger.info("Bluesky login (createSession)", account=self._account.key)
        return self._keep(answer, "createSession")

    def _keep(self, answer: dict, where: str) -> Session:
        did, access, refresh = (answer.get(name) for name in ("did", "accessJwt", "refreshJwt"))
        if not all(isinstance(part, str) and part for part in (did, access, refresh)):
            raise TransientError(f"Bluesky {where} answered no usable session")
        if did != self._account.id:
            raise AuthenticationFailed(f"the Bluesky credentials are for {did}, not {self._account.id}")
        session = Session(did=did, access=access, refresh=refresh)
        self._store.save(self._account.key, session.encode())
        self._session = session
        return session

    # -- transport -----------------------------------------------------------------------------

    def _send(self, method: str, nsid: str, token: str | None, *, params=None, json_body=None) -> dict:
        """One XRPC call; every answer becomes a JSON object, a _TokenRefused or a ChannelError."""
        where = f"Bluesky {nsid}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        import requests

        if self._http is None:
            self._http = requests.Session()
        try:
            response = self._http.request(
                method,
                f"{self._base}/xrpc/{nsid}",
                params=params,
                json=json_body,
                headers=headers,
                timeout=self._timeout,
            )
        except requests.Timeout as error:
            raise TransientError(f"{where} timed out: {type(error).__name__}") from None
        except requests.RequestException as error:
            raise TransientError(f"{where} failed: {type(error).__name__}") from None
        status = response.status_code
        if status == 429:
            raise RateLimited(_reset_time(response.headers), f"{where} answered 429")
        if status >= 500:
            raise TransientError(f"{where} answered {status}")
        body = _json(response.content)
        if status >= 400:
            error, message = _error(body)
            if error in _TOKEN_ERRORS or status == 401:
                raise _TokenRefused(error or str(status))
            if error in _GONE_ACCOUNT_ERRORS:
                raise AccountUnavailable(f"{where}: the account is {error}")
            raise PermanentError(f"{where} answered {status}: {error}: {message}")
        if not 200 <= status < 300:
            raise TransientError(f"{where} answered an unexpected {status}")
        if body is _MALFORMED or not isinstance(body, dict):
            raise TransientError(f"{where} answered malformed JSON")
        return body


def _json(content: bytes | None) -> Any:
    try:
        return json.loads(content or b"")
    except (ValueError, RecursionError):
        return _MALFORMED


def _error(body: Any) -> tuple[str | None, str | None]:
    """XRPC's error envelope: {"error": name, "message": text}."""
    if not isinstance(body, dict):
        return None, None
    error, message = body.get("error"), body.get("message")
    error = clean(error[:_DETAIL_LENGTH]) if isinstance(error, str) else None
    return error, clean(message[:_DETAIL_LENGTH]) if isinstance(message, str) else None


def _reset_time(headers) -> datetime:
    """ratelimit-reset is the window's end in Unix seconds, clamped to [now + 1 s, now + 24 h];
    anything else waits one 5-minute window."""
    now = clock.now()
    header = headers.get("ratelimit-reset")
    if not isinstance(header, str) or not _RESET.fullmatch(header):
        return now + _FALLBACK_WINDOW
    earliest, latest = (now + bound for bound in RESET_BOUNDS)
    seconds = int(header)
    if seconds <= earliest.timestamp():
        return earliest
    if seconds >= latest.timestamp():
        return latest
    return datetime.fromtimestamp(seconds, UTC)


def _mention_facets(text: str, author: Any) -> list[dict]:
    """A mention facet (UTF-8 byte offsets) for each @handle of the customer in the reply, so the
    app links it and notifies them."""
    if not isinstance(author, dict) or not isinstance(author.get("handle"), str):
        return []
    did, handle = author.get("did"), author["handle"]
    if not isinstance(did, str) or not handle:
        return []
    facets = []
    pattern = re.compile(rf"(?<![\w.-])@{re.escape(handle)}(?![\w-]|\.\w)", re.IGNORECASE)
    for match in pattern.finditer(text):
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(match.group().encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
            }
        )
    return facets


def _link_facets(text: str) -> list[dict]:
    """A link facet (UTF-8 byte offsets) for each http(s) link in the text."""
    facets = []
    for match in _LINK.finditer(text):
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(match.group().encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group()}],
            }
        )
    return facets
