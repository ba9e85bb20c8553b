"""X (Twitter) API v2: mentions and own timeline with the app's bearer token, replies with OAuth 1.0a."""

import html
import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ... import clock
from ...domain.posts import Post
from ...domain.timefmt import from_iso, to_iso
from ..base import (
    AccountUnavailable,
    AuthenticationFailed,
    Page,
    PermanentError,
    Quarantined,
    RateLimited,
    ReplyTarget,
    StatusesLikeReplies,
    TransientError,
    ensure_fits,
)
from .cursor import Position
from .textlength import weighted_length

if TYPE_CHECKING:
    from .account import XAccount

# requests and requests_oauthlib (with oauthlib, about 0.15 s of a cold start) are imported by the
# first call and the first reply: the adapter is built at wiring, and most invocations post nothing.
if TYPE_CHECKING:
    import requests
    from requests_oauthlib import OAuth1

TWEET_FIELDS = "author_id,conversation_id,created_at,in_reply_to_user_id,lang,referenced_tweets"
# No usable x-rate-limit-reset header: back off for one 15-minute window, X's usual.
_FALLBACK_WINDOW = timedelta(minutes=15)
RECONCILE_PAGES = 3  # how far back a lost reply is looked for
SECRET_KEYS = ("bearer_token", "api_key", "api_secret", "access_token", "access_token_secret")


class XAdapter(StatusesLikeReplies):
    display_name = "X"
    max_reply_length = 280

    def __init__(
        self,
        account: "XAccount",
        credentials: dict[str, str],
        *,
        base_url: str = "https://api.x.com",
        timeout: float = 10.0,
        session: "requests.Session | None" = None,
        page_size: int = 100,
    ):
        missing = [key for key in SECRET_KEYS if not credentials.get(key)]
        if missing:
            raise PermanentError(f"X credentials lack {', '.join(missing)}")
        self._account = account
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._http = session  # built by the first call
        self._page_size = page_size
        self._bearer = credentials["bearer_token"]
        self._user_keys = {key: credentials[key] for key in SECRET_KEYS if key != "bearer_token"}
        self._signer: OAuth1 | None = None

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        """X pages newest first. A paging runs from the newest post down to the last one read
        before (`since_id`); until it ends, the cursor remembers where it is (the oldest id stored,
        read below with `until_id`, which unlike a pagination token never expires) and the newest id
        seen, which becomes `since_id` once the paging is complete."""
        path = {"mentions": "/2/users/{}/mentions", "own": "/2/users/{}/tweets"}[stream]
        position = Position.parse(cursor)
        body = self._timeline(path.format(self._account.id), position, start_time)
        page = _parse_timeline(body, self._account if stream == "mentions" else None)
        newest = position.newest or page.newest_id
        if page.next_token is None:  # the paging is complete
            done = newest or position.since
            return Page(page.posts, done, True, page.quarantined)
        if page.oldest_id is None:
            raise TransientError("X answered a next page but no meta.oldest_id to resume from")
        start = None if position.since else position.start or to_iso(start_time)
        resume = replace(position, start=start).below(newest, page.oldest_id)
        return Page(page.posts, resume.encode(), False, page.quarantined)

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        position = Position(start=to_iso(since))
        for _ in range(RECONCILE_PAGES):
            page = _parse_timeline(self._timeline(f"/2/users/{self._account.id}/tweets", position, since))
            for post in page.posts:
                if post.in_reply_to_id == target.post_id:
                    return post.post_id
            if page.next_token is None or page.oldest_id is None:
                return None
            position = position.below(position.newest or page.newest_id, page.oldest_id)
        return None

    def _timeline(self, path: str, position: "Position", start_time: datetime) -> dict:
        params: dict[str, Any] = {
            "max_results": self._page_size,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username",
        }
        if position.since:
            params["since_id"] = position.since
        else:
            params["start_time"] = position.start or to_iso(start_time)
        if position.until:
            params["until_id"] = position.until
        headers = {"Authorization": f"Bearer {self._bearer}"}
        return self._request("GET", path, params=params, headers=headers)

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        payload = {"text": text, "reply": {"in_reply_to_tweet_id": target.post_id}}
        body = self._request("POST", "/2/tweets", json=payload, auth=self._oauth())
        data = body.get("data")
        post_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(post_id, str) or not _ID.fullmatch(post_id):
            # It may be posted: the acknowledger looks for it before posting again.
            raise TransientError("X accepted the post but its answer has no data.id")
        return post_id

    def reply_length(self, text: str) -> int:
        return weighted_length(text)

    def post_status(self, text: str) -> str:
        """A top-level post on the brand's timeline: the same create call without `reply`."""
        ensure_fits(self, text)
        body = self._request("POST", "/2/tweets", json={"text": text}, auth=self._oauth())
        data = body.get("data")
        post_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(post_id, str) or not _ID.fullmatch(post_id):
            raise TransientError("X accepted the status post but its answer has no data.id")
        return post_id

    # -- transport -----------------------------------------------------------------------------

    def _oauth(self) -> "OAuth1":
        """The OAuth 1.0a signer of the brand's user context (posting needs it; reading does not)."""
        if self._signer is None:
            from requests_oauthlib import OAuth1

            keys = self._user_keys
            self._signer = OAuth1(
                keys["api_key"],
                client_secret=keys["api_secret"],
                resource_owner_key=keys["access_token"],
                resource_owner_secret=keys["access_token_secret"],
            )
        return self._signer

    def _request(self, method: str, path: str, **kwargs) -> dict:
        """One call; every answer becomes a JSON object or a ChannelError, whatever its shape."""
        import requests

        where = f"X {method} {path}"
        if self._http is None:
            self._http = requests.Session()
        try:
            response = self._http.request(method, self._base + path, timeout=self._timeout, **kwargs)
        except requests.Timeout as error:
            raise TransientError(f"{where} timed out: {error}") from None
        except requests.RequestException as error:
            raise TransientError(f"{where} failed: {error}") from None
        status = response.status_code
        if status == 429:
            raise RateLimited(_reset_time(response.headers), f"{where} answered 429")
        if status >= 500:
            raise TransientError(f"{where} answered {status}")
        body = _json(response.content)
        if status >= 400:
            detail = _problem_detail(body) if isinstance(body, dict) else None
            refused = AuthenticationFailed if _refuses_credentials(status, body) else PermanentError
            raise refused(f"{where} answered {status}: {detail}")
        if not 200 <= status < 300:
            raise TransientError(f"{where} answered an unexpected {status}")
        if body is _MALFORMED:
            raise TransientError(f"{where} answered malformed JSON")
        if not isinstance(body, dict):
            raise TransientError(f"{where} answered JSON that is not an object")
        return body


# A 403 of these problem types is about the app or its tokens (not enrolled, wrong permissions, wrong
# auth type): new credentials may cure it. Any other 403 (a deleted post, duplicate text, replies not
# allowed) refuses this request, and no credentials change that.
_CREDENTIAL_PROBLEMS = ("client-forbidden", "unsupported-authentication", "oauth1-permissions")


def _refuses_credentials(status: int, body: Any) -> bool:
    kind = str(body.get("type") or "") if isinstance(body, dict) else ""
    return status == 401 or (status == 403 and kind.endswith(_CREDENTIAL_PROBLEMS))


# -- reading answers: total functions, an answer of any shape ends as data or a ChannelError -------

_MALFORMED = object()
_ID = re.compile(r"[0-9]{1,19}")  # X ids: decimal strings (ASCII digits only, not \d)
_TOKEN = re.compile(r"[\x21-\x7e]{1,1024}")  # pagination tokens: opaque printable ASCII
_SURROGATE = re.compile("[\ud800-\udfff]")
_RESET = re.compile(r"\s*[0-9]{1,30}\s*")
# What X answers, as a 200 with errors and no data, for an account it will not serve: deleted,
# suspended, or protected from this app. Retrying never helps; a person must act.
ACCOUNT_PROBLEMS = frozenset(
    f"https://api.twitter.com/2/problems/{name}"
    for name in ("resource-not-found", "resource-unavailable", "not-authorized-for-resource")
)
X_LAUNCH = datetime(2006, 3, 21, tzinfo=UTC)  # an earlier created_at is garbage, not history
# Never wait less than a second (a reset already past) nor more than a day (a garbage header).
RESET_BOUNDS = (timedelta(seconds=1), timedelta(hours=24))
_DETAIL_LENGTH = 200


class _Malformed(Exception):
    """One post cannot be read; it is quarantined, the rest of the page goes on."""


def _json(content: bytes | None) -> Any:
    try:
        return json.loads(content or b"")
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser allows
        return _MALFORMED


def _clean(text: str) -> str:
    """Lone surrogates (legal in JSON, not in UTF-8) would fail the write to DynamoDB."""
    return _SURROGATE.sub("\ufffd", text)


def _problem_detail(problem: dict) -> str | None:
    detail = problem.get("detail") or problem.get("title")
    return _clean(detail[:_DETAIL_LENGTH]) if isinstance(detail, str) else None


def _reset_time(headers) -> datetime:
    """X sends no Retry-After; x-rate-limit-reset is the window's end in Unix seconds, clamped to
    [now + 1 s, now + 24 h]. Anything else waits one 15-minute window, X's usual."""
    now = clock.now()
    header = headers.get("x-rate-limit-reset")
    if not isinstance(header, str) or not _RESET.fullmatch(header):
        return now + _FALLBACK_WINDOW
    earliest, latest = (now + bound for bound in RESET_BOUNDS)
    seconds = int(header)  # compared as integers: a huge value never reaches datetime
    if seconds <= earliest.timestamp():
        return earliest
    if seconds >= latest.timestamp():
        return latest
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class _Timeline:
    posts: list[Post]
    newest_id: str | None
    next_token: str | None
    oldest_id: str | None
    quarantined: list[Quarantined] = field(default_factory=list)


def _parse_timeline(body: dict, account: "XAccount | None" = None) -> _Timeline:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        _raise_for_errors(body)
        raise TransientError("X timeline answer has no meta object")
    data = body.get("data")
    if data is None:
        data = []
    if not isinstance(data, list):
        raise TransientError("X timeline answer's data is not a list")
    users = _usernames(body.get("includes"))
    posts, quarantined = [], []
    for raw in data:
        try:
            posts.append(_parse_post(raw, users, account))
        except _Malformed as error:
            quarantined.append(_quarantine(raw, str(error)))
    return _Timeline(
        posts=posts,
        newest_id=_meta_value(meta, "newest_id", _ID),
        next_token=_meta_value(meta, "next_token", _TOKEN),
        oldest_id=_meta_value(meta, "oldest_id", _ID),
        quarantined=quarantined,
    )


def _raise_for_errors(body: dict) -> None:
    """An answer of errors alone: an account X will not serve is permanent; anything else may be a
    glitch, retried (and alarmed as a stall if it lasts)."""
    errors = body.get("errors")
    if not isinstance(errors, list):
        return
    problems = [error for error in errors if isinstance(error, dict)]
    for problem in problems:
        kind, resource = problem.get("type"), problem.get("resource_type")
        if isinstance(kind, str) and kind in ACCOUNT_PROBLEMS and resource in (None, "user"):
            raise AccountUnavailable(f"X will not serve this account: {_problem_detail(problem)}")
    details = "; ".join(filter(None, (_problem_detail(problem) for problem in problems[:3])))
    raise TransientError(f"X answered errors and no data: {details or 'no detail'}")


def _meta_value(meta: dict, name: str, pattern: re.Pattern) -> str | None:
    """A cursor X sends must be one: a wrong one would skip or repeat posts, so the page is retried."""
    value = meta.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise TransientError(f"X timeline answer's meta.{name} is malformed")
    return value


def _usernames(includes: Any) -> dict[str, str]:
    users = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(users, list):
        return {}
    return {
        user["id"]: _clean(user["username"])
        for user in users
        if isinstance(user, dict)
        and isinstance(user.get("id"), str)
        and isinstance(user.get("username"), str)
    }


def _parse_post(raw: Any, users: dict[str, str], account: "XAccount | None" = None) -> Post:
    if not isinstance(raw, dict):
        raise _Malformed(f"a post that is not an object but {type(raw).__name__}")
    author_id = _post_id(raw, "author_id")
    text = raw.get("text")
    if not isinstance(text, str):
        raise _Malformed("text is missing or not a string")
    lang = raw.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise _Malformed("lang is not a string")
    conversation_id = raw.get("conversation_id")
    return Post(
        channel="x",
        post_id=_post_id(raw, "id"),
        author_id=author_id,
        author_handle=users.get(author_id),
        text=_clean(html.unescape(text)),  # X escapes &, < and > in text
        created_at=_created_at(raw.get("created_at")),
        conversation_id=_post_id(raw, "conversation_id") if conversation_id is not None else None,
        in_reply_to_id=_replied_to(raw),
        lang=_clean(lang) if lang else None,
        kind="mention" if account is not None else None,  # read from the mentions timeline
        reply_allowed=account is None or _addresses(raw, text, account),
    )


def _addresses(raw: dict, text: str, account: "XAccount") -> bool:
    """X lets an app reply only to posts whose author mentioned the account (or replied to it)."""
    mention = re.compile(rf"(?<![A-Za-z0-9_])@{re.escape(account.handle)}(?![A-Za-z0-9_])", re.IGNORECASE)
    return raw.get("in_reply_to_user_id") == account.id or bool(mention.search(html.unescape(text)))


def _post_id(raw: dict, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _Malformed(f"{name} is missing or not an X id")
    return value


def _created_at(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _Malformed("created_at is missing or not a string")
    try:
        moment = from_iso(value)
    except (ValueError, OverflowError):
        raise _Malformed("created_at is not an ISO 8601 time") from None
    if moment < X_LAUNCH:
        raise _Malformed("created_at is before X existed")
    return moment


def _replied_to(raw: dict) -> str | None:
    # Newer X specs rename referenced_tweets to referenced_posts: read both.
    references = raw.get("referenced_tweets") or raw.get("referenced_posts")
    if not references:
        return None
    if not isinstance(references, list) or not all(isinstance(ref, dict) for ref in references):
        raise _Malformed("referenced_tweets is not a list of objects")
    replied = next((ref for ref in references if ref.get("type") == "replied_to"), None)
    return _post_id(replied, "id") if replied is not None else None


def _quarantine(raw: Any, reason: str) -> Quarantined:
    post_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        raw_json = json.dumps(raw)  # ASCII: lone surrogates stay escaped, storable as they came
    except (ValueError, RecursionError):
        raw_json = "(not serialisable)"
    valid_id = isinstance(post_id, str) and _ID.fullmatch(post_id)
    return Quarantined(raw_json=raw_json, reason=reason, post_id=post_id if valid_id else None)
