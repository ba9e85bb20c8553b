"""Instagram comments on the account's media, replies to them and to @mentions, through the Graph API.

`comments`: the account's media of the last `media_lookback_days`, each with its comments (newest
first) and their replies, paged at once down to the stream's position (Meta's cursors expire, never
kept; the position is meta.cursor.Position). Instagram cannot list comments by time: a new reply under
a top-level comment older than the last page read is the webhook's (`comments`) to deliver. @mentions
in other accounts' captions and comments come by webhook only; `read_mention` reads one for it."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ... import clock
from ...domain.posts import Post
from ..base import Page, PermanentError, Quarantined, ReplyTarget, TransientError
from ..meta import parse
from ..meta.cursor import Position
from ..meta.graph import GraphClient
from ..meta.parse import Malformed
from . import REPLY_LIMIT, reply_length

if TYPE_CHECKING:  # imported by the Graph client's first call
    import requests

    from .account import InstagramAccount

CREDENTIAL_NAME = "access_token"  # the key in the credentials secret
COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id"
MAX_LIMIT = 100  # Graph's largest page
REPLIES = f"replies.limit({MAX_LIMIT}){{{COMMENT_FIELDS}}}"
# Per read: more pages than this since the position cannot be handed on safely (they come newest
# first), so the read fails, is retried, and the stream's stall alarm tells a person if it lasts.
MAX_CALLS = 30


class InstagramAdapter:
    display_name = "Instagram"
    max_reply_length = REPLY_LIMIT

    # Instagram publishes media only (a photo, video or carousel with a caption): there is no
    # text-only post, so a status update cannot be posted here.
    can_post_status = False

    def __init__(
        self,
        account: "InstagramAccount",
        credentials: dict[str, str],
        *,
        base_url: str,
        timeout: float = 10.0,
        session: "requests.Session | None" = None,
        page_size: int = MAX_LIMIT,
    ):
        self._account = account
        self._page_size = max(1, min(page_size, MAX_LIMIT))
        self._graph = GraphClient.for_account(
            "Instagram",
            account,
            credentials,
            CREDENTIAL_NAME,
            base_url=base_url,
            timeout=timeout,
            session=session,
        )
        self._calls = 0

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        if stream != "comments":
            raise PermanentError(f"Instagram has no stream {stream!r}")
        position = Position.parse(cursor, start_time)
        posts, quarantined = self._comments(position.since_time)
        batch = position.advance(posts, self._page_size)
        return Page(batch.posts, batch.position.encode(), batch.complete, quarantined)

    def _comments(self, since: datetime) -> tuple[list[Post], list[Quarantined]]:
        lookback = clock.now() - timedelta(days=self._account.media_lookback_days)
        params = {
            "fields": f"id,timestamp,comments.limit({self._page_size}){{{COMMENT_FIELDS},{REPLIES}}}",
            "since": int(lookback.timestamp()),
            "limit": MAX_LIMIT,
        }
        posts: list[Post] = []
        quarantined: list[Quarantined] = []
        self._calls = 0
        while True:
            body = self._get(f"/{self._account.id}/media", params)
            for raw in parse.data_of(body, "Instagram media"):
                media_id = raw.get("id") if isinstance(raw, dict) else None
                if not isinstance(media_id, str) or not parse.ID.fullmatch(media_id):
                    quarantined.append(parse.quarantine(raw, "a media without a usable id"))
                    continue
                self._media_comments(raw.get("comments"), media_id, since, posts, quarantined)
            after = self._graph.next_after(body)
            if after is None:
                return posts, quarantined
            params = {**params, "after": after}

    def _media_comments(self, comments: Any, media_id: str, since: datetime, posts, quarantined) -> None:
        """Top-level comments come newest first: paged until one older than the position."""
        while comments is not None:
            if not isinstance(comments, dict):
                raise TransientError("Instagram media's comments is not an object")
            oldest = None
            for raw in parse.data_of(comments, "Instagram comments"):
                try:
                    post = self._comment(raw, media_id)
                except Malformed as error:
                    quarantined.append(parse.quarantine(raw, str(error)))
                    continue
                posts.append(post)
                oldest = post.created_at if oldest is None else min(oldest, post.created_at)
                self._replies(raw.get("replies"), raw["id"], media_id, posts, quarantined)
            after = self._graph.next_after(comments)
            if after is None or (oldest is not None and oldest < since):
                return
            fields = f"{COMMENT_FIELDS},{REPLIES}"
            params = {"limit": self._page_size, "fields": fields, "after": after}
            comments = self._get(f"/{media_id}/comments", params)

    def _replies(self, replies: Any, comment_id: str, media_id: str, posts, quarantined) -> None:
        while replies is not None:
            if not isinstance(replies, dict):
                raise TransientError("Instagram comment's replies is not an object")
            for raw in parse.data_of(replies, "Instagram replies"):
                try:
                    posts.append(self._comment(raw, media_id, parent=comment_id))
                except Malformed as error:
                    quarantined.append(parse.quarantine(raw, str(error)))
            after = self._graph.next_after(replies)
            if after is None:
                return
            params = {"limit": MAX_LIMIT, "fields": COMMENT_FIELDS, "after": after}
            replies = self._get(f"/{comment_id}/replies", params)

    def _get(self, path: str, params: dict) -> dict:
        self._calls += 1
        if self._calls > MAX_CALLS:
            raise TransientError(f"Instagram: more than {MAX_CALLS} pages of comments to read at once")
        return self._graph.get(path, params)

    def _comment(self, raw: Any, media_id: str, *, parent: str | None = None, kind: str = "comment") -> Post:
        if not isinstance(raw, dict):
            raise Malformed(f"a comment that is not an object but {type(raw).__name__}")
        author = raw.get("from")
        username = parse.optional_text(raw.get("username"))
        if isinstance(author, dict) and author.get("id") is not None:
            author_id = parse.graph_id(author, "id")
            username = username or parse.optional_text(author.get("username"))
        elif username is not None:
            author_id = username  # Meta leaves `from` out of some answers; the username still names them
        else:
            raise Malformed("neither from.id nor username: the author cannot be answered")
        parent_id = raw.get("parent_id")
        if parent_id is not None and not (isinstance(parent_id, str) and parse.ID.fullmatch(parent_id)):
            raise Malformed("parent_id is not a Graph id")
        return Post(
            channel="instagram",
            post_id=parse.graph_id(raw, "id"),
            author_id=author_id,
            author_handle=username,
            text=parse.text(raw, "text"),
            created_at=parse.created(raw, "timestamp"),
            conversation_id=media_id,
            in_reply_to_id=parent_id or parent or media_id,
            kind=kind,
        )

    def read_mention(self, media_id: str, comment_id: str | None = None) -> Post:
        """The @mention a `mentions` webhook announced: a comment on another account's media, or
        (no comment_id) that media's caption. Only the mentioned account can read it."""
        for value in (media_id, comment_id):
            if value is not None and not parse.ID.fullmatch(value):
                raise PermanentError("an Instagram mention names ids that are not Graph ids")
        if comment_id is not None:
            field = f"mentioned_comment.comment_id({comment_id}){{{COMMENT_FIELDS},media{{id}}}}"
        else:
            field = f"mentioned_media.media_id({media_id}){{id,caption,timestamp,username}}"
        body = self._graph.get(f"/{self._account.id}", {"fields": field})
        raw = body.get(field.partition(".")[0])
        try:
            if comment_id is not None:
                conversation = (parse.nested_id(raw, "media") if isinstance(raw, dict) else None) or media_id
                return self._comment(raw, conversation, kind="mention")
            if isinstance(raw, dict):
                raw = {**raw, "text": raw.get("caption")}
            return self._comment(raw, media_id, kind="mention")
        except Malformed as error:
            raise TransientError(f"Instagram answered a mention that cannot be read: {error}") from None

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        """A reply under the comment; to a mention, through the mentioned account (the only way)."""
        if target.kind == "mention":
            data = {"media_id": target.conversation_id or target.post_id, "message": text}
            if target.conversation_id and target.post_id != target.conversation_id:
                data["comment_id"] = target.post_id
            body = self._graph.post(f"/{self._account.id}/mentions", data)
        else:
            body = self._graph.post(f"/{target.post_id}/replies", {"message": text})
        reply_id = body.get("id")
        if not isinstance(reply_id, str) or not parse.ID.fullmatch(reply_id):
            # It may be posted: the acknowledger looks for it before posting again.
            raise TransientError("Instagram accepted the reply but its answer has no id")
        return reply_id

    @property
    def can_hide_posts(self) -> bool:
        return True  # comments on the account's media; a mention elsewhere is refused by Meta

    def hide_post(self, target: ReplyTarget) -> None:
        """Hide the comment on the account's media (`hide=true`): only its author still sees it."""
        self._graph.post(f"/{target.post_id}", {"hide": "true"})

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        """The account's reply in the target's thread since `since`. Instagram does not say which
        app made a comment: one staff typed there in that time is taken for ours."""
        if target.kind == "mention":
            replies = self._mention_replies(target)
        else:
            found = self._graph.get(f"/{target.post_id}", {"fields": "id,parent_id"})
            thread = found.get("parent_id") or target.post_id
            if not isinstance(thread, str) or not parse.ID.fullmatch(thread):
                raise TransientError("Instagram answered a comment whose parent_id is unreadable")
            body = self._graph.get(f"/{thread}/replies", {"fields": COMMENT_FIELDS, "limit": MAX_LIMIT})
            replies = parse.data_of(body, "Instagram replies")
        for raw in replies:
            try:
                reply = self._comment(raw, target.conversation_id or target.post_id)
            except Malformed:
                continue  # not readable, so not one we can say is ours
            if reply.author_id == self._account.id and reply.created_at >= since:
                return reply.post_id
        return None

    def _mention_replies(self, target: ReplyTarget) -> list:
        media_id = target.conversation_id or target.post_id
        if target.post_id != media_id:
            field = f"mentioned_comment.comment_id({target.post_id}){{id,{REPLIES}}}"
            edge = "replies"
        else:
            field = (
                f"mentioned_media.media_id({media_id}){{id,comments.limit({MAX_LIMIT}){{{COMMENT_FIELDS}}}}}"
            )
            edge = "comments"
        body = self._graph.get(f"/{self._account.id}", {"fields": field})
        found = body.get(field.partition(".")[0])
        listing = found.get(edge) if isinstance(found, dict) else None
        if listing is None:
            return []  # Meta leaves out an empty list
        if not isinstance(listing, dict):
            raise TransientError(f"Instagram answered a mention whose {edge} is not an object")
        return parse.data_of(listing, f"Instagram mention {edge}")

    def reply_length(self, text: str) -> int:
        return reply_length(text)
