"""WordPress REST API (/wp-json/wp/v2/comments): new comments read by id, replies posted as the
acknowledging user with an application password (HTTP Basic)."""

import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ... import clock
from ...domain.posts import Post
from ..base import (
    AuthenticationFailed,
    Page,
    PermanentError,
    Quarantined,
    RateLimited,
    ReplyTarget,
    TransientError,
)
from .content import REPLY_LIMIT, as_stored, plain_text, reply_length
from .cursor import Position
from .site import Site, user_number

if TYPE_CHECKING:  # imported by the first call: adapters are built at wiring, calls come later
    import requests

    from .account import WordPressAccount

SECRET_KEYS = ("username", "application_password")
# `after` is exclusive and compared in the site's time zone (UTC-12 to UTC+14): asked a margin
# early, the comments it brings back twice are dropped by id.
RESUME_MARGIN = timedelta(minutes=1)
FIRST_READ_MARGIN = timedelta(days=1)
FIND_PAGES = 3  # how far a lost reply is looked for (100 replies under one comment each)
FIND_SKEW = timedelta(minutes=1)  # date_gmt has whole seconds and the site's clock is not ours
DUPLICATE_LOOKBACK = timedelta(days=30)
_FALLBACK_WAIT = timedelta(minutes=1)  # a 429 without a usable Retry-After
RETRY_BOUNDS = (timedelta(seconds=1), timedelta(hours=24))
WORDPRESS_EPOCH = datetime(2003, 5, 27, tzinfo=UTC)  # an earlier date_gmt is garbage
_LOCAL = "%Y-%m-%dT%H:%M:%S"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# 403s that refuse this comment, not the credentials (comments closed, the article is a draft...).
_NOT_CREDENTIALS = frozenset(
    {
        "rest_comment_closed",
        "rest_comment_draft_post",
        "rest_comment_trash_post",
        "rest_comment_invalid_post_id",  # the article is gone: 403, as WordPress answers it
        "rest_comment_invalid_status",
    }
)
_MALFORMED = object()


class WordPressAdapter:
    display_name = "WordPress"
    max_reply_length = REPLY_LIMIT

    # A WordPress post is a blog article for the site's readers and feeds, not a short status
    # update: publishing one per interval of an incident would spam them, so none is posted here.
    can_post_status = False

    def __init__(
        self,
        account: "WordPressAccount",
        credentials: dict[str, str],
        *,
        base_url: str = "",
        timeout: float = 10.0,
        session: "requests.Session | None" = None,
        page_size: int = 100,
    ):
        missing = [key for key in SECRET_KEYS if not credentials.get(key)]
        if missing:
            raise PermanentError(f"WordPress credentials lack {', '.join(missing)}")
        self._account = account
        self._site = Site.of(account.instance)
        self._user = user_number(account.id)
        self._staff = {int(each) for each in account.staff_user_ids}
        # base_url (the local simulator, a proxy) replaces where to connect; the site is still named
        # by its Host header and path. Pretty permalinks are required (/wp-json, not ?rest_route=).
        origin = base_url.rstrip("/") if base_url else self._site.origin
        self._api = f"{origin}{self._site.path}/wp-json"
        connect_host = urlsplit(origin).netloc
        self._headers = {"Host": self._site.host} if connect_host != self._site.host else {}
        self._auth = (credentials["username"], credentials["application_password"])
        self._timeout = timeout
        self._http = session  # built by the first call
        self._page_size = max(1, min(page_size, 100))

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        if stream != "comments":
            raise PermanentError(f"WordPress has no stream {stream!r}")
        position = Position.parse(cursor)
        after = position.after or self._after(position, start_time)
        # A first reading keeps nothing older than start_time, on every page of its paging.
        start = position.start or (None if position.last_id else start_time.astimezone(UTC).strftime(_LOCAL))
        oldest = datetime.strptime(start, _LOCAL).replace(tzinfo=UTC) if start else None
        params = self._list_params(after) | {"page": position.page}
        try:
            body, headers = self._request("GET", "/wp/v2/comments", params=params)
        except PermanentError as error:
            if position.page > 1 and "invalid_page_number" in str(error):
                return Page([], position.done().encode(), True)  # comments vanished under the paging
            raise
        if not isinstance(body, list):
            raise TransientError("WordPress comments answer is not a list")
        posts, quarantined, newest = [], [], (position.last_id, position.last_date)
        for raw in body:
            number, local_date = _identity(raw)
            if number is not None and (position.last_id is None or number > position.last_id):
                if newest[0] is None or number > newest[0]:
                    newest = (number, local_date or newest[1])
            elif number is not None:
                continue  # read before: the margin of `after` brings it back
            try:
                post = self._parse(raw)
            except _Malformed as error:
                quarantined.append(_quarantine(raw, str(error), self._site))
                continue
            if post is not None and (oldest is None or post.created_at >= oldest):
                posts.append(post)
        moved = Position(last_id=newest[0], last_date=newest[1], page=position.page)
        if _last_page(headers, position.page, len(body), self._page_size):
            return Page(posts, moved.done().encode(), True, quarantined)
        return Page(posts, moved.next_page(after, start).encode(), False, quarantined)

    def _after(self, position: Position, start_time: datetime) -> str:
        if position.last_date is not None:
            return (datetime.strptime(position.last_date, _LOCAL) - RESUME_MARGIN).strftime(_LOCAL)
        return (start_time.astimezone(UTC) - FIRST_READ_MARGIN).strftime(_LOCAL)

    def _list_params(self, after: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "after": after,
            "orderby": "id",
            "order": "asc",
            "per_page": self._page_size,
        }
        if self._account.include_held:
            params["status"] = "all"  # approved and held (needs moderate_comments)
        return params

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        number = self._site.comment_number(target.post_id)
        if number is None:
            return None
        earliest = since.astimezone(UTC).replace(microsecond=0) - FIND_SKEW
        params = self._list_params((earliest - FIRST_READ_MARGIN).strftime(_LOCAL)) | {"parent": number}
        for page in range(1, FIND_PAGES + 1):
            body, headers = self._request("GET", "/wp/v2/comments", params=params | {"page": page})
            if not isinstance(body, list):
                raise TransientError("WordPress comments answer is not a list")
            for raw in body:
                if (
                    not isinstance(raw, dict)
                    or raw.get("author") != self._user
                    or raw.get("parent") != number
                ):
                    continue
                created = _gmt(raw.get("date_gmt"))
                if created is not None and created >= earliest and _positive(raw.get("id")):
                    return self._site.comment(raw["id"])
            if _last_page(headers, page, len(body), self._page_size):
                return None
        return None

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        number = self._site.comment_number(target.post_id)
        if number is None:
            raise PermanentError(f"{target.post_id!r} is not a comment of {self._site.key}")
        article = self._site.article_number(target.conversation_id) or self._article_of(number)
        payload = {"post": article, "parent": number, "content": as_stored(text)}
        try:
            body, _ = self._request("POST", "/wp/v2/comments", json=payload, expect=201)
        except _Duplicate:
            # WordPress refuses the same text by the same user on the same article: it is there.
            found = self.find_reply(target, clock.now() - DUPLICATE_LOOKBACK)
            if found is None:
                raise TransientError(
                    "WordPress refused the reply as a duplicate, and it is not found"
                ) from None
            return found
        if not isinstance(body, dict) or not _positive(body.get("id")):
            # It may be posted: the acknowledger looks for it before posting again.
            raise TransientError("WordPress accepted the comment but its answer has no id")
        return self._site.comment(body["id"])

    def _article_of(self, comment: int) -> int:
        body, _ = self._request("GET", f"/wp/v2/comments/{comment}")
        article = body.get("post") if isinstance(body, dict) else None
        if not _positive(article):
            raise TransientError("WordPress comment answer has no post")
        return article

    def reply_length(self, text: str) -> int:
        return reply_length(text)

    # -- reading one comment ---------------------------------------------------------------------

    def _parse(self, raw: Any) -> Post | None:
        """A Post, None for what is not a customer's comment to read (pingbacks, spam, held ones
        unless include_held), or _Malformed."""
        if not isinstance(raw, dict):
            raise _Malformed(f"a comment that is not an object but {type(raw).__name__}")
        number, article, parent, author = (_number(raw, name) for name in ("id", "post", "parent", "author"))
        if number == 0 or article == 0:
            raise _Malformed("id or post is not a positive number")
        kind, status = raw.get("type"), raw.get("status")
        if not isinstance(kind, str) or not isinstance(status, str):
            raise _Malformed("type or status is missing")
        if kind != "comment" or status not in ("approved", "hold"):
            return None  # pingbacks and trackbacks are not mentions; spam and trash are nobody's
        if status == "hold" and not self._account.include_held:
            return None
        created = _gmt(raw.get("date_gmt"))
        if created is None:
            raise _Malformed("date_gmt is missing or not a time")
        name = raw.get("author_name")
        name = _clean(name) if isinstance(name, str) and name.strip() else None
        brands = author == self._user or (author != 0 and self._is_staff(author))
        return Post(
            channel="wordpress",
            post_id=self._site.comment(number),
            author_id=self._account.id if brands else self._author_id(author, name),
            author_handle=name,
            text=_text(raw.get("content")),
            created_at=created,
            conversation_id=self._site.article(article),
            in_reply_to_id=self._site.comment(parent) if parent else None,
            kind="comment",
            visibility="public" if status == "approved" else "held",
            reply_allowed=status == "approved",  # a held comment is not public: nothing to answer
        )

    def _is_staff(self, author: int) -> bool:
        """Staff replies count as the brand's (author_id is the account's); the real user stays
        in author_handle. Configured ids, else (when allowed) any user logged in on the site."""
        return author in self._staff if self._staff else self._account.registered_users_are_staff

    def _author_id(self, author: int, name: str | None) -> str:
        return self._site.user(author) if author else self._site.guest(name or "anonymous")

    # -- transport -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, expect: int = 200, **kwargs) -> tuple[Any, Any]:
        """One call; every answer becomes JSON with its headers, or a ChannelError."""
        where = f"WordPress {self._site.key} {method} {path}"
        import requests

        if self._http is None:
            self._http = requests.Session()
        try:
            response = self._http.request(
                method,
                self._api + path,
                auth=self._auth,
                headers=self._headers,
                timeout=self._timeout,
                allow_redirects=False,  # a redirect would drop the Basic credentials anyway
                **kwargs,
            )
        except requests.Timeout as error:
            raise TransientError(f"{where} timed out: {error}") from None
        except requests.RequestException as error:
            raise TransientError(f"{where} failed: {error}") from None
        status = response.status_code
        if status == 429:
            raise RateLimited(_retry_at(response.headers.get("Retry-After")), f"{where} answered 429")
        if status >= 500:
            raise TransientError(f"{where} answered {status}")
        body = _json(response.content)
        if body is _MALFORMED:
            kind = response.headers.get("Content-Type", "")
            if "html" in kind or response.content.lstrip()[:1] == b"<":
                raise TransientError(
                    f"{where} answered {status} with HTML, not JSON: the REST API is blocked, or the site "
                    "lacks pretty permalinks (/wp-json)"
                )
        code = body.get("code") if isinstance(body, dict) else None
        if status >= 400:
            detail = f"{where} answered {status} {code or ''}".rstrip()
            if status == 409 and code == "comment_duplicate":
                raise _Duplicate(detail)
            if status in (401, 403) and code not in _NOT_CREDENTIALS:
                raise AuthenticationFailed(detail)
            raise PermanentError(detail)
        if status != expect and not 200 <= status < 300:
            raise TransientError(f"{where} answered an unexpected {status}")
        if body is _MALFORMED:
            raise TransientError(f"{where} answered malformed JSON")
        return body, response.headers


class _Malformed(Exception):
    """One comment cannot be read; it is quarantined, the rest of the page goes on."""


class _Duplicate(PermanentError):
    pass


def _json(content: bytes | None) -> Any:
    try:
        return json.loads(content or b"")
    except (ValueError, RecursionError):
        return _MALFORMED


def _clean(text: str) -> str:
    """Lone surrogates (legal in JSON, not in UTF-8) would fail the write to DynamoDB."""
    return _SURROGATE.sub("\ufffd", text)


def _positive(value: Any) -> bool:
    return type(value) is int and 0 < value < 2**63


def _number(raw: dict, name: str) -> int:
    value = raw.get(name)
    if type(value) is not int or not 0 <= value < 2**63:
        raise _Malformed(f"{name} is missing or not a number")
    return value


def _identity(raw: Any) -> tuple[int | None, str | None]:
    """The comment's id and local date, when readable: enough to move the cursor past it."""
    if not isinstance(raw, dict) or not _positive(raw.get("id")):
        return None, None
    date = raw.get("date")
    return raw["id"], date[:19] if isinstance(date, str) and _DATE.match(date) else None


def _gmt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        moment = datetime.strptime(value[:19], _LOCAL).replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if moment >= WORDPRESS_EPOCH else None


def _text(content: Any) -> str:
    if not isinstance(content, dict):
        raise _Malformed("content is not an object")
    raw, rendered = content.get("raw"), content.get("rendered")
    if isinstance(raw, str):  # the edit context: what the commenter typed
        return _clean(plain_text(raw))
    if isinstance(rendered, str):
        return _clean(plain_text(rendered))
    raise _Malformed("content has neither raw nor rendered text")


def _last_page(headers: Any, page: int, count: int, page_size: int) -> bool:
    pages = headers.get("X-WP-TotalPages") if headers is not None else None
    if isinstance(pages, str) and pages.strip().isdigit():
        return page >= int(pages)
    return count < page_size


def _retry_at(header: str | None) -> datetime:
    """Retry-After in seconds or as an HTTP date, kept within [now + 1 s, now + 24 h]."""
    now = clock.now()
    wait = _FALLBACK_WAIT
    if header and header.strip().isdigit() and len(header.strip()) < 9:
        wait = timedelta(seconds=int(header.strip()))
    elif header:
        try:
            wait = parsedate_to_datetime(header) - now
        except (TypeError, ValueError, IndexError, OverflowError):
            wait = _FALLBACK_WAIT
    low, high = RETRY_BOUNDS
    return now + min(max(wait, low), high)


def _quarantine(raw: Any, reason: str, site: Site) -> Quarantined:
    number = raw.get("id") if isinstance(raw, dict) else None
    try:
        raw_json = json.dumps(raw)
    except (ValueError, RecursionError):
        raw_json = "(not serialisable)"
    return Quarantined(
        raw_json=raw_json, reason=reason, post_id=site.comment(number) if _positive(number) else None
    )
