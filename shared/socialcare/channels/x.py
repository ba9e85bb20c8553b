"""X (Twitter) API v2: mentions and own timeline with the app's bearer token, replies with OAuth 1.0a."""

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests_oauthlib import OAuth1

from .. import clock
from ..domain.posts import Post
from ..domain.timefmt import from_iso, to_iso
from .base import AuthenticationFailed, Page, PermanentError, RateLimited, TransientError
from .textlength import weighted_length

TWEET_FIELDS = "author_id,conversation_id,created_at,in_reply_to_user_id,lang,referenced_tweets"
# No usable x-rate-limit-reset header: back off for one 15-minute window, X's usual.
_FALLBACK_WINDOW = timedelta(minutes=15)
SECRET_KEYS = ("bearer_token", "api_key", "api_secret", "access_token", "access_token_secret")


class XAdapter:
    channel = "x"
    display_name = "X"
    max_reply_length = 280

    def __init__(
        self,
        credentials: dict[str, str],
        *,
        base_url: str = "https://api.x.com",
        timeout: float = 10.0,
        session: requests.Session | None = None,
        page_size: int = 100,
    ):
        missing = [key for key in SECRET_KEYS if not credentials.get(key)]
        if missing:
            raise PermanentError(f"X credentials lack {', '.join(missing)}")
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._http = session or requests.Session()
        self._page_size = page_size
        self._bearer = credentials["bearer_token"]
        self._oauth = OAuth1(
            credentials["api_key"],
            client_secret=credentials["api_secret"],
            resource_owner_key=credentials["access_token"],
            resource_owner_secret=credentials["access_token_secret"],
        )

    # -- reading -------------------------------------------------------------------------------

    def fetch_mentions(
        self, account_id, *, since_id=None, page_token=None, start_time=None, until_id=None
    ) -> Page:
        return self._timeline(f"/2/users/{account_id}/mentions", since_id, page_token, start_time, until_id)

    def fetch_own_posts(
        self, account_id, *, since_id=None, page_token=None, start_time=None, until_id=None
    ) -> Page:
        return self._timeline(f"/2/users/{account_id}/tweets", since_id, page_token, start_time, until_id)

    def _timeline(self, path: str, since_id, page_token, start_time, until_id) -> Page:
        params: dict[str, Any] = {
            "max_results": self._page_size,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username",
        }
        if since_id:
            params["since_id"] = since_id
        elif start_time:
            params["start_time"] = to_iso(start_time)
        if until_id:
            params["until_id"] = until_id
        if page_token:
            params["pagination_token"] = page_token
        body = self._request("GET", path, params=params, headers={"Authorization": f"Bearer {self._bearer}"})
        return _parse_timeline(body)

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, account_id: str, *, in_reply_to_id: str, text: str) -> str:
        payload = {"text": text, "reply": {"in_reply_to_tweet_id": in_reply_to_id}}
        body = self._request("POST", "/2/tweets", json=payload, auth=self._oauth)
        try:
            return str(body["data"]["id"])
        except (KeyError, TypeError):
            raise TransientError("X accepted the post but its answer has no data.id") from None

    def reply_length(self, text: str) -> int:
        return weighted_length(text)

    @staticmethod
    def post_url(handle: str | None, post_id: str) -> str:
        return f"https://x.com/{handle or 'i'}/status/{post_id}"

    # -- transport -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._http.request(method, self._base + path, timeout=self._timeout, **kwargs)
        except requests.Timeout as error:
            raise TransientError(f"X {method} {path} timed out: {error}") from None
        except requests.RequestException as error:
            raise TransientError(f"X {method} {path} failed: {error}") from None
        if response.status_code == 429:
            raise RateLimited(_reset_time(response), f"X {method} {path} answered 429")
        if response.status_code >= 500:
            raise TransientError(f"X {method} {path} answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise TransientError(f"X {method} {path} answered malformed JSON") from None
        if response.status_code >= 400:
            detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
            refused = (
                AuthenticationFailed if _refuses_credentials(response.status_code, body) else PermanentError
            )
            raise refused(f"X {method} {path} answered {response.status_code}: {detail}")
        if not isinstance(body, dict):
            raise TransientError(f"X {method} {path} answered JSON that is not an object")
        return body


# A 403 of these problem types is about the app or its tokens (not enrolled, wrong permissions, wrong
# auth type): new credentials may cure it. Any other 403 (a deleted post, duplicate text, replies not
# allowed) refuses this request, and no credentials change that.
_CREDENTIAL_PROBLEMS = ("client-forbidden", "unsupported-authentication", "oauth1-permissions")


def _refuses_credentials(status: int, body: Any) -> bool:
    kind = str(body.get("type") or "") if isinstance(body, dict) else ""
    return status == 401 or (status == 403 and kind.endswith(_CREDENTIAL_PROBLEMS))


def _reset_time(response: requests.Response) -> datetime:
    """X sends no Retry-After; x-rate-limit-reset is the window's end in Unix seconds."""
    header = response.headers.get("x-rate-limit-reset")
    try:
        return datetime.fromtimestamp(int(header), UTC)
    except (TypeError, ValueError):
        return clock.now() + _FALLBACK_WINDOW


def _parse_timeline(body: dict) -> Page:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        raise TransientError("X timeline answer has no meta object")
    users = {
        str(user.get("id")): user.get("username")
        for user in (body.get("includes") or {}).get("users", [])
        if isinstance(user, dict)
    }
    posts = []
    for raw in body.get("data") or []:
        try:
            posts.append(_parse_post(raw, users))
        except (KeyError, TypeError, ValueError) as error:
            raise TransientError(f"X returned a malformed post: {error!r}") from None
    return Page(
        posts=posts,
        newest_id=meta.get("newest_id"),
        next_token=meta.get("next_token"),
        oldest_id=meta.get("oldest_id"),
    )


def _parse_post(raw: dict, users: dict[str, str]) -> Post:
    # Newer X specs rename referenced_tweets to referenced_posts: read both.
    references = raw.get("referenced_tweets") or raw.get("referenced_posts") or []
    replied_to = next((str(ref["id"]) for ref in references if ref.get("type") == "replied_to"), None)
    author_id = str(raw["author_id"])
    return Post(
        channel="x",
        post_id=str(raw["id"]),
        author_id=author_id,
        author_handle=users.get(author_id),
        text=str(raw["text"]),
        created_at=from_iso(raw["created_at"]),
        conversation_id=str(raw["conversation_id"]) if raw.get("conversation_id") else None,
        in_reply_to_id=replied_to,
        lang=raw.get("lang"),
    )
