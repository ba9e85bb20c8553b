"""Meta's webhooks (Graph API): one callback for Facebook pages and Instagram professional accounts.

- Verification: GET with hub.mode=subscribe, hub.verify_token, hub.challenge; the challenge echoed.
- Deliveries: POST {"object", "entry": [{"id", "time", "changes": [{"field", "value"}]}]}, the raw
  body signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>` with the app secret.
- What we use: object `page`, field `feed` (comments, and posts by others on or tagging the page);
  object `instagram`, fields `comments` (on the account's media) and `mentions` (ids only: the
  account's adapter reads the mention with `read_mention(media_id, comment_id)`).
The secret (webhooks/meta under the stack's prefix) is {"app_secret": ..., "verify_token": ...}.
"""

import hashlib
import hmac
import re
from datetime import UTC, datetime

from ..domain.posts import Post
from .webhook import Announcements, Change, MalformedPayload, WebhookRequest

FACEBOOK, INSTAGRAM = "facebook", "instagram"
# Graph ids: digits, FB post and comment ids two digit groups joined by "_".
_ID = re.compile(r"^[0-9]{1,40}(_[0-9]{1,40})?$")
_SIGNATURE = re.compile(r"^sha256=([0-9a-fA-F]{64})$")
# Feed items that are a post someone else published on or about the page (its own are not cared for).
_POST_ITEMS = {"post", "status", "photo", "video", "share"}
MAX_TEXT = 70_000  # longer than any comment Meta accepts: a bigger one is not Meta's


class MetaWebhook:
    channels = (FACEBOOK, INSTAGRAM)

    def __init__(self, secret: dict[str, str]):
        missing = [key for key in ("app_secret", "verify_token") if not secret.get(key)]
        if missing:
            raise ValueError(f"the Meta webhook secret has no {', '.join(missing)}")
        self._app_secret = secret["app_secret"].encode()
        self._verify_token = secret["verify_token"].encode()

    def challenge_answer(self, query: dict[str, str]) -> str | None:
        token = query.get("hub.verify_token", "").encode(errors="replace")
        challenge = query.get("hub.challenge", "")
        if query.get("hub.mode") != "subscribe" or not challenge or len(challenge) > 200:
            return None
        return challenge if hmac.compare_digest(token, self._verify_token) else None

    def signature_valid(self, request: WebhookRequest) -> bool:
        match = _SIGNATURE.match(request.headers.get("x-hub-signature-256", "").strip())
        if match is None:
            return False
        expected = hmac.new(self._app_secret, request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, match.group(1).lower())

    def announcements(self, payload: object) -> Announcements:
        payload = _object(payload, "the payload")
        kind = payload.get("object")
        if not isinstance(kind, str):
            raise MalformedPayload("object is not a text")
        entries = _list(payload.get("entry"), "entry")
        found = Announcements()
        if kind not in ("page", "instagram"):
            found.ignored.append(f"object {kind[:40]!r}")
            return found
        for entry in entries:
            entry = _object(entry, "an entry")
            account_id = _id(entry.get("id"), "entry.id")
            sent_at = _time(entry.get("time"), "entry.time")
            for change in _list(entry.get("changes", []), "entry.changes"):
                change = _object(change, "a change")
                field_, value = change.get("field"), _object(change.get("value"), "change.value")
                if kind == "page" and field_ == "feed":
                    _feed(account_id, value, found)
                elif kind == "instagram" and field_ == "comments":
                    found.changes.append(_ig_comment(account_id, value, sent_at))
                elif kind == "instagram" and field_ == "mentions":
                    found.changes.append(_ig_mention(account_id, value))
                else:
                    found.ignored.append(f"{kind} field {str(field_)[:40]!r}")
        return found


def _feed(page_id: str, value: dict, found: Announcements) -> None:
    item, verb = value.get("item"), value.get("verb")
    # `item` may be any JSON: only a string can name a kind (a list is unhashable, too).
    if verb != "add" or not isinstance(item, str) or (item != "comment" and item not in _POST_ITEMS):
        found.ignored.append(f"feed {str(item)[:20]} {str(verb)[:20]}")  # edits, removals, reactions
        return
    sender = _object(value.get("from"), "feed value.from")
    post_id = _id(value.get("post_id"), "feed value.post_id")
    is_comment = item == "comment"
    post = Post(
        channel=FACEBOOK,
        post_id=_id(value.get("comment_id"), "feed value.comment_id") if is_comment else post_id,
        author_id=_id(sender.get("id"), "feed value.from.id"),
        author_handle=_text(sender.get("name"), "feed value.from.name") or None,
        text=_text(value.get("message"), "feed value.message"),
        created_at=_time(value.get("created_time"), "feed value.created_time"),
        conversation_id=post_id,
        in_reply_to_id=_id(value.get("parent_id", post_id), "feed value.parent_id") if is_comment else None,
        kind="comment" if is_comment else "tag",
    )
    if not is_comment and post.author_id == page_id:
        found.ignored.append("feed post by the page")  # the page's own post: nothing to answer
        return
    found.changes.append(Change(FACEBOOK, page_id, post=post, ref=f"comment {post.post_id}"))


def _ig_comment(ig_user_id: str, value: dict, sent_at: datetime) -> Change:
    sender = _object(value.get("from"), "comments value.from")
    media_id = _id(_object(value.get("media"), "comments value.media").get("id"), "comments value.media.id")
    comment_id = _id(value.get("id"), "comments value.id")
    post = Post(
        channel=INSTAGRAM,
        post_id=comment_id,
        author_id=_id(sender.get("id"), "comments value.from.id"),
        author_handle=_text(sender.get("username"), "comments value.from.username") or None,
        text=_text(value.get("text"), "comments value.text"),
        created_at=sent_at,  # the change carries no time of its own: Meta sends it at once
        conversation_id=media_id,
        in_reply_to_id=_id(value.get("parent_id", media_id), "comments value.parent_id"),
        kind="comment",
    )
    return Change(INSTAGRAM, ig_user_id, post=post, ref=f"comment {comment_id}")


def _ig_mention(ig_user_id: str, value: dict) -> Change:
    media_id = _id(value.get("media_id"), "mentions value.media_id")
    comment_id = value.get("comment_id")
    comment_id = None if comment_id is None else _id(comment_id, "mentions value.comment_id")

    def read(adapter) -> Post | None:
        return adapter.read_mention(media_id, comment_id)

    return Change(INSTAGRAM, ig_user_id, read=read, ref=f"mention {media_id}/{comment_id or '-'}")


# -- total parsing: any other shape is a MalformedPayload naming where ------------------------------


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{where} is not an object")
    return value


def _list(value: object, where: str) -> list:
    if not isinstance(value, list):
        raise MalformedPayload(f"{where} is not a list")
    return value


def _id(value: object, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.match(value):
        raise MalformedPayload(f"{where} is not a Graph id")
    return value


def _text(value: object, where: str) -> str:
    if value is None:
        return ""  # a comment that is only a photo or a sticker
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise MalformedPayload(f"{where} is not a text")
    # Lone surrogates (valid JSON escapes, invalid text) would fail every write downstream.
    return value.encode("utf-8", "replace").decode("utf-8")


def _time(value: object, where: str) -> datetime:
    """Unix seconds, as Meta sends them (a negative or far-future value is not Meta's)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 2**33:
        raise MalformedPayload(f"{where} is not a time")
    return datetime.fromtimestamp(int(value), UTC)
