"""Mastodon's REST API with the brand account's user token: mentions from its notifications, its own
statuses (staff replies), replies posted with the mention's visibility and an Idempotency-Key."""

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from ... import clock
from ...domain.posts import Post
from ...domain.templates import fit
from ...domain.timefmt import from_iso, to_iso
from ..base import (
    AccountUnavailable,
    AuthenticationFailed,
    ChannelError,
    Page,
    PermanentError,
    Quarantined,
    RateLimited,
    ReplyTarget,
    TransientError,
    ensure_fits,
)
from . import MENTION_ALLOWANCE, REPLY_LIMIT
from .cursor import Position
from .textlength import URL_LENGTH, status_length

if TYPE_CHECKING:  # imported by the first call: adapters are built at wiring, calls come later
    import requests

    from .account import MastodonAccount

logger = Logger(child=True)

NOTIFICATIONS = "/api/v1/notifications"
PAGE_SIZE = 40  # Mastodon's default page; statuses allow at most 40, notifications 80
# Narrowest last: a reply never reaches further than the mention it answers.
VISIBILITIES = ("public", "unlisted", "private", "direct")
ROOTS_KEPT = 10_000  # thread roots remembered per adapter, to spare a context request per reply
_FALLBACK_WINDOW = timedelta(minutes=5)  # Mastodon's rate-limit windows are 5 minutes
RESET_BOUNDS = (timedelta(seconds=1), timedelta(hours=24))
_ID = re.compile(r"[0-9]{1,20}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LEADING_MENTIONS = re.compile(r"^(?:@[\w.-]+(?:@[\w.-]+)?\s+)+")
_TAG = re.compile(r"<[^>]*>")
_MALFORMED = object()


class MastodonAdapter:
    display_name = "Mastodon"

    def __init__(
        self,
        account: "MastodonAccount",
        credentials: dict[str, str],
        *,
        base_url: str = "https://{instance}",
        timeout: float = 10.0,
        session: "requests.Session | None" = None,
        page_size: int = PAGE_SIZE,
    ):
        token = credentials.get("access_token")
        if not token:
            raise PermanentError("Mastodon credentials lack access_token")
        self._account = account
        self._base = base_url.replace("{instance}", account.instance).rstrip("/")
        self._timeout = timeout
        self._http = session  # built by the first call
        self._page_size = max(1, min(page_size, 40))
        self._auth = {"Authorization": f"Bearer {token}"}
        self._limit: int | None = None  # the instance's max_characters, read once
        self._url_length = URL_LENGTH
        self._roots: dict[str, str] = {}  # status id -> its thread's root, as read
        self._app: str | None = None  # the name of the application our token belongs to

    # -- limits --------------------------------------------------------------------------------

    @property
    def max_reply_length(self) -> int:
        if self._limit is None:
            try:
                self._read_instance()
            except ChannelError as error:  # the default, this time; read again next time
                logger.warning(
                    "Mastodon instance limits unreadable", instance=self._account.instance, error=str(error)
                )
                return REPLY_LIMIT
        return self._limit or REPLY_LIMIT

    def reply_length(self, text: str) -> int:
        return status_length(text, self._url_length) + MENTION_ALLOWANCE

    def _read_instance(self) -> None:
        body = self._request("GET", "/api/v2/instance")
        statuses = _dig(body, "configuration", "statuses")
        limit = statuses.get("max_characters") if isinstance(statuses, dict) else None
        if not isinstance(limit, int) or isinstance(limit, bool) or limit <= MENTION_ALLOWANCE:
            raise TransientError(
                "Mastodon instance answer has no usable configuration.statuses.max_characters"
            )
        url_length = statuses.get("characters_reserved_per_url")
        if isinstance(url_length, int) and not isinstance(url_length, bool) and 0 < url_length <= limit:
            self._url_length = url_length
        self._limit = limit

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        """Forward from the cursor with `min_id` (the page just newer than it, newest first, so the
        page's highest id is the next cursor; a short page is the last). With no cursor yet, down
        from the newest with `max_id` until the start time (see cursor.py)."""
        if stream == "mentions":
            path = NOTIFICATIONS
            params: dict[str, Any] = {"types[]": "mention", "include_filtered": "true"}
        elif stream == "own":
            path = f"/api/v1/accounts/{self._account.id}/statuses"
            params = {"exclude_reblogs": "true"}
        else:
            raise PermanentError(f"Mastodon has no stream {stream!r}")
        params["limit"] = self._page_size
        position = Position.parse(cursor)
        if position.since is not None and position.until is None:
            items = self._list(path, {**params, "min_id": position.since})
            entries = self._entries(items, stream)
            if items and not entries.ids:
                # Nothing on the page to move past: reading on would read it again and again.
                raise TransientError(f"Mastodon {stream} page has no item with a usable id")
            newest = max([position.since, *entries.ids], key=int)  # never back: ids only grow
            return Page(entries.posts, newest, len(items) < self._page_size, entries.quarantined)
        start = from_iso(position.start) if position.start else start_time
        if position.until:
            params["max_id"] = position.until
        items = self._list(path, params)
        entries = self._entries(items, stream, not_before=start)
        # The newest item, even one older than the start: what follows is read forward from it.
        newest = position.newest or next((i["id"] for i in items if _usable_id(i)), None)
        if entries.reached_start or len(items) < self._page_size or not entries.ids:
            return Page(entries.posts, newest, True, entries.quarantined)
        resume = Position(start=to_iso(start), newest=newest, until=entries.ids[-1])
        return Page(entries.posts, resume.encode(), False, entries.quarantined)

    def _list(self, path: str, params: dict) -> list:
        body = self._request("GET", path, params=params)
        if not isinstance(body, list):
            raise TransientError(f"Mastodon GET {path} answered JSON that is not a list")
        return body

    def _entries(self, items: list, stream: str, *, not_before: datetime | None = None) -> "_Entries":
        """Each item's id (the cursor) and its post, or why it cannot be read (quarantined)."""
        entries = _Entries()
        for raw in items:
            item_id = raw.get("id") if isinstance(raw, dict) else None
            if not isinstance(item_id, str) or not _ID.fullmatch(item_id):
                entries.quarantined.append(_quarantine(raw, "an item without a usable id"))
                continue
            entries.ids.append(item_id)
            try:
                if not_before is not None and _time(raw.get("created_at")) < not_before:
                    entries.ids.pop()  # older than the start: not read
                    entries.reached_start = True
                    break
                post = self._mention(raw) if stream == "mentions" else self._own(raw)
            except _Malformed as error:
                entries.quarantined.append(_quarantine(raw, str(error)))
                continue
            if post is not None:
                entries.posts.append(post)
        return entries

    def _mention(self, notification: dict) -> Post | None:
        if notification.get("type") != "mention":
            return None  # asked for mentions only; anything else is not ours to care for
        status = notification.get("status")
        if not isinstance(status, dict):
            raise _Malformed("a mention notification without its status")
        return self._post(status, kind="mention")

    def _own(self, status: dict) -> Post | None:
        if status.get("reblog") is not None:
            return None  # a boost repeats someone else's words: not a reply by staff
        return self._post(status, kind=None)

    def _post(self, status: dict, *, kind: str | None) -> Post:
        post_id = _status_id(status, "id")
        author = status.get("account")
        if not isinstance(author, dict):
            raise _Malformed("account is missing or not an object")
        author_id = _status_id(author, "id")
        acct = author.get("acct")
        if not isinstance(acct, str) or not acct:
            raise _Malformed("account.acct is missing or not a string")
        content = status.get("content")
        if not isinstance(content, str):
            raise _Malformed("content is missing or not a string")
        visibility = status.get("visibility")
        if visibility not in VISIBILITIES:
            raise _Malformed("visibility is not one Mastodon has")
        parent = status.get("in_reply_to_id")
        if parent is not None:
            parent = _status_id(status, "in_reply_to_id")
        lang = status.get("language")
        text = _clean(html_text(content))
        if author_id == self._account.id and kind is None:
            # Replies start with the @mentions that address them (ours: the customer's); what was
            # written comes after, and is what the acknowledgement's recorded text is compared to.
            text = _LEADING_MENTIONS.sub("", text) if parent else text
        return Post(
            channel="mastodon",
            post_id=post_id,
            author_id=author_id,
            author_handle=_clean(acct if "@" in acct else f"{acct}@{self._account.instance}"),
            text=text,
            created_at=_time(status.get("created_at")),
            conversation_id=self._root(post_id, parent),
            in_reply_to_id=parent,
            lang=_clean(lang) if isinstance(lang, str) and lang else None,
            kind=kind,
            visibility=visibility,
        )

    def _root(self, post_id: str, parent: str | None) -> str:
        """A Mastodon status names its parent, not its thread: the root is the first ancestor its
        context shows (one request per reply whose parent this adapter has not seen; a status that
        replies to nothing is its own root)."""
        if parent is None:
            root = post_id
        elif parent in self._roots:
            root = self._roots[parent]
        else:
            try:
                context = self._request("GET", f"/api/v1/statuses/{post_id}/context")
            except PermanentError:  # gone or hidden since: its parent is the nearest we know
                context = {}
            ancestors = context.get("ancestors") if isinstance(context, dict) else None
            first = ancestors[0] if isinstance(ancestors, list) and ancestors else None
            found = first.get("id") if isinstance(first, dict) else None
            root = found if isinstance(found, str) and _ID.fullmatch(found) else parent
        if len(self._roots) >= ROOTS_KEPT:  # a container lives for hours: keep the newest only
            del self._roots[next(iter(self._roots))]
        self._roots[post_id] = root
        return root

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        """The brand's status answering the post, posted by our application (staff answering from
        the web or a phone is not ours: taken for ours, it would never stop the ticket's clock),
        from the post's context: one request, and one per container to learn our app's name."""
        app = self._application()
        try:
            context = self._request("GET", f"/api/v1/statuses/{target.post_id}/context")
        except PermanentError as error:
            if isinstance(error, AuthenticationFailed):
                raise
            return None  # the post is gone: no reply can be under it
        descendants = context.get("descendants") if isinstance(context, dict) else None
        for status in descendants if isinstance(descendants, list) else []:
            if not isinstance(status, dict) or status.get("in_reply_to_id") != target.post_id:
                continue
            author = status.get("account")
            if not isinstance(author, dict) or author.get("id") != self._account.id:
                continue
            posted_by = _dig(status, "application", "name")
            if posted_by is not None and posted_by != app:
                continue  # by staff, in another app (the author sees the app of each own status)
            try:
                if _time(status.get("created_at")) >= since - timedelta(minutes=1):
                    return _status_id(status, "id")
            except _Malformed:
                continue
        return None

    def _application(self) -> str:
        if self._app is None:
            name = _dig(self._request("GET", "/api/v1/apps/verify_credentials"), "name")
            if not isinstance(name, str) or not name:
                raise TransientError("Mastodon answered our application without its name")
            self._app = name
        return self._app

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        """Addressed to the customer (`@acct`, read from the post: a reply without it notifies
        nobody, and a direct one would reach nobody), never more visible than the post it answers,
        with an Idempotency-Key of the account and the post, so a retry makes no second status."""
        status = self._request("GET", f"/api/v1/statuses/{target.post_id}")
        author = status.get("account") if isinstance(status, dict) else None
        acct = author.get("acct") if isinstance(author, dict) else None
        if not isinstance(acct, str) or not acct:
            raise TransientError("Mastodon answered the status without its account.acct")
        prefix = f"@{acct} "
        room = self.max_reply_length - status_length(prefix, self._url_length)
        body_text = prefix + fit(text, room, lambda t: status_length(t, self._url_length))
        payload = {
            "status": body_text,
            "in_reply_to_id": target.post_id,
            "visibility": self._visibility(target.visibility, status.get("visibility")),
        }
        key = hashlib.sha256(
            f"socialcare:{self._account.instance}:{self._account.id}:{target.post_id}".encode()
        ).hexdigest()
        created = self._request("POST", "/api/v1/statuses", json=payload, headers={"Idempotency-Key": key})
        post_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(post_id, str) or not _ID.fullmatch(post_id):
            # It may be posted: the acknowledger looks for it before posting again.
            raise TransientError("Mastodon accepted the status but its answer has no id")
        return post_id

    can_post_status = True

    @property
    def max_status_length(self) -> int:
        return self.max_reply_length  # the instance's max_characters

    def status_length(self, text: str) -> int:
        """As the instance counts it, with no room kept for a mention: a status addresses no one."""
        return status_length(text, self._url_length)

    def post_status(self, text: str) -> str:
        """A public status of the brand's own (no `in_reply_to_id`): a status update is for everyone."""
        ensure_fits(self, text)
        created = self._request("POST", "/api/v1/statuses", json={"status": text, "visibility": "public"})
        post_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(post_id, str) or not _ID.fullmatch(post_id):
            raise TransientError("Mastodon accepted the status post but its answer has no id")
        return post_id

    def _visibility(self, stored: str | None, current: Any) -> str:
        """The narrowest of the stored mention's and the status's own; public as configured. A
        visibility we do not know is treated as direct: never answered wider than it may be."""
        known = [v if v in VISIBILITIES else "direct" for v in (stored, current) if v is not None]
        narrowest = max(known, key=VISIBILITIES.index, default="direct")
        return self._account.public_reply_visibility if narrowest == "public" else narrowest

    # -- transport -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, headers: dict | None = None, **kwargs) -> Any:
        """One call; every answer becomes JSON or a ChannelError, whatever its shape."""
        where = f"Mastodon {method} {path}"
        import requests

        if self._http is None:
            self._http = requests.Session()
        try:
            response = self._http.request(
                method,
                self._base + path,
                headers={**self._auth, **(headers or {})},
                timeout=self._timeout,
                **kwargs,
            )
        except requests.Timeout as error:
            raise TransientError(f"{where} timed out: {error}") from None
        except requests.RequestException as error:
            raise TransientError(f"{where} failed: {error}") from None
        status = response.status_code
        if status == 429:
            raise RateLimited(reset_time(response.headers), f"{where} answered 429")
        if status >= 500:
            raise TransientError(f"{where} answered {status}")
        body = _json(response.content)
        if status >= 400:
            detail = _detail(body)
            if status in (401, 403):
                raise AuthenticationFailed(f"{where} answered {status}: {detail}")
            if status == 410:
                raise AccountUnavailable(f"{where} answered 410: {detail}")
            raise PermanentError(f"{where} answered {status}: {detail}")
        if not 200 <= status < 300:
            raise TransientError(f"{where} answered an unexpected {status}")
        if body is _MALFORMED:
            raise TransientError(f"{where} answered malformed JSON")
        return body


def reset_time(headers) -> datetime:
    """X-RateLimit-Reset is an ISO 8601 time, clamped to [now + 1 s, now + 24 h]; without a usable
    one, one 5-minute window."""
    now = clock.now()
    header = headers.get("X-RateLimit-Reset")
    try:
        moment = from_iso(header) if isinstance(header, str) and len(header) <= 40 else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        return now + _FALLBACK_WINDOW
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    earliest, latest = (now + bound for bound in RESET_BOUNDS)
    return min(max(moment, earliest), latest)


# -- reading answers: total functions, an answer of any shape ends as data or a ChannelError -------


class _Malformed(Exception):
    """One item cannot be read; it is quarantined, the rest of the page goes on."""


@dataclass
class _Entries:
    ids: list[str] = field(default_factory=list)  # every item read, newest first (cursors)
    posts: list[Post] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    reached_start: bool = False


class _TextOf(HTMLParser):
    """Mastodon's status HTML as the text a person reads: paragraphs and line breaks kept."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(content: str) -> str:
    parser = _TextOf()
    try:
        parser.feed(content)
        parser.close()
    except (AssertionError, ValueError):  # markup the parser gives up on: its text without tags
        return html.unescape(_TAG.sub("", content)).strip()
    return "".join(parser.parts).strip()


def _json(content: bytes | None) -> Any:
    try:
        return json.loads(content or b"")
    except (ValueError, RecursionError):
        return _MALFORMED


def _detail(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return _clean(error[:200]) if isinstance(error, str) else None


def _dig(body: Any, *names: str) -> Any:
    for name in names:
        body = body.get(name) if isinstance(body, dict) else None
    return body


def _clean(text: str) -> str:
    """Lone surrogates (legal in JSON, not in UTF-8) would fail the write to DynamoDB."""
    return _SURROGATE.sub("\ufffd", text)


def _usable_id(raw: Any) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("id"), str) and bool(_ID.fullmatch(raw["id"]))


def _status_id(raw: dict, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _Malformed(f"{name} is missing or not a Mastodon id")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _Malformed("created_at is missing or not a string")
    try:
        return from_iso(value)
    except (ValueError, OverflowError):
        raise _Malformed("created_at is not an ISO 8601 time") from None


def _quarantine(raw: Any, reason: str) -> Quarantined:
    status = raw.get("status") if isinstance(raw, dict) else None
    post_id = (status or raw).get("id") if isinstance(status or raw, dict) else None
    try:
        raw_json = json.dumps(raw)
    except (ValueError, RecursionError, TypeError):
        raw_json = "(not serialisable)"
    valid = isinstance(post_id, str) and _ID.fullmatch(post_id)
    return Quarantined(raw_json=raw_json, reason=reason, post_id=post_id if valid else None)
