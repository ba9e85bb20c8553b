"""Facebook Page comments and tags through the Graph API, with the page's access token.

`comments`: every post of the page's feed from the last `post_lookback_days`, each with its comments
and replies since the stream's position (`filter=stream`, oldest first), in one call per page of posts;
a post with more comments than fit is paged at once (Meta's cursors expire, never kept). `tagged`:
posts by others that tag the page. Both keep meta.cursor.Position, not Meta's cursors."""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ... import clock
from ...domain.posts import Post
from ..base import (
    Page,
    PermanentError,
    Quarantined,
    ReplyTarget,
    StatusesLikeReplies,
    TransientError,
    ensure_fits,
)
from ..meta import parse
from ..meta.cursor import Position
from ..meta.graph import GraphClient
from ..meta.parse import Malformed
from . import REPLY_LIMIT, reply_length

if TYPE_CHECKING:  # imported by the Graph client's first call
    import requests

    from .account import FacebookAccount

CREDENTIAL_NAME = "page_access_token"  # the key in the credentials secret
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},application{id}"
POST_FIELDS = "id,message,created_time,from{id,name}"
MAX_LIMIT = 100  # Graph's largest page
# Per read. Comment pages beyond MAX_COMMENT_CALLS wait for the next read (nothing later than the
# last one read is handed on before them); posts beyond MAX_FEED_PAGES pages of the feed (10,000 in
# the lookback) are read by the webhook alone.
MAX_COMMENT_CALLS = 20
MAX_FEED_PAGES = 10
MAX_TAGGED_PAGES = 20


class FacebookAdapter(StatusesLikeReplies):
    display_name = "Facebook"
    max_reply_length = REPLY_LIMIT

    def __init__(
        self,
        account: "FacebookAccount",
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
            "Facebook",
            account,
            credentials,
            CREDENTIAL_NAME,
            base_url=base_url,
            timeout=timeout,
            session=session,
        )

    # -- reading -------------------------------------------------------------------------------

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        position = Position.parse(cursor, start_time)
        readers = {"comments": self._comments, "tagged": self._tagged}
        if stream not in readers:
            raise PermanentError(f"Facebook has no stream {stream!r}")
        reader = readers[stream]
        posts, quarantined, cut = reader(position.since)
        batch = position.advance(posts, self._page_size, cut=cut)
        return Page(batch.posts, batch.position.encode(), batch.complete, quarantined)

    def _comments(self, since: int) -> tuple[list[Post], list[Quarantined], datetime | None]:
        nested = f"comments.filter(stream).order(chronological).since({since}).limit({self._page_size})"
        lookback = clock.now() - timedelta(days=self._account.post_lookback_days)
        params = {
            "fields": f"id,created_time,{nested}{{{COMMENT_FIELDS}}}",
            "since": int(lookback.timestamp()),
            "limit": MAX_LIMIT,
        }
        posts, quarantined, cuts, calls = [], [], [], 0
        for _ in range(MAX_FEED_PAGES):
            body = self._graph.get(f"/{self._account.id}/feed", params)
            for raw in parse.data_of(body, "Facebook feed"):
                post_id = raw.get("id") if isinstance(raw, dict) else None
                if not isinstance(post_id, str) or not parse.ID.fullmatch(post_id):
                    quarantined.append(parse.quarantine(raw, "a feed post without a usable id"))
                    continue
                comments = raw.get("comments") or {"data": []}
                if not isinstance(comments, dict):
                    raise TransientError("Facebook feed post's comments is not an object")
                while True:
                    read, bad = self._parse_comments(comments, post_id)
                    posts += read
                    quarantined += bad
                    after = self._graph.next_after(comments)
                    if after is None:
                        break
                    if calls >= MAX_COMMENT_CALLS:  # the rest of this post's comments come next time
                        cuts.append(
                            max((p.created_at for p in read), default=datetime.fromtimestamp(since, UTC))
                        )
                        break
                    comments = self._graph.get(
                        f"/{post_id}/comments",
                        {
                            "filter": "stream",
                            "order": "chronological",
                            "since": since,
                            "limit": self._page_size,
                            "fields": COMMENT_FIELDS,
                            "after": after,
                        },
                    )
                    calls += 1
            after = self._graph.next_after(body)
            if after is None:
                break
            params = {**params, "after": after}
        return posts, quarantined, min(cuts, default=None)

    def _parse_comments(self, body: dict, post_id: str) -> tuple[list[Post], list[Quarantined]]:
        posts, quarantined = [], []
        for raw in parse.data_of(body, "Facebook comments"):
            try:
                posts.append(self._comment(raw, post_id))
            except Malformed as error:
                quarantined.append(parse.quarantine(raw, str(error)))
        return posts, quarantined

    def _comment(self, raw: Any, post_id: str) -> Post:
        if not isinstance(raw, dict):
            raise Malformed(f"a comment that is not an object but {type(raw).__name__}")
        author = raw.get("from")
        if not isinstance(author, dict):
            raise Malformed("from is missing: the author cannot be answered")
        return Post(
            channel="facebook",
            post_id=parse.graph_id(raw, "id"),
            author_id=parse.graph_id(author, "id"),
            author_handle=parse.optional_text(author.get("name")),
            text=parse.text(raw, "message"),
            created_at=parse.created(raw, "created_time"),
            conversation_id=post_id,
            in_reply_to_id=parse.nested_id(raw, "parent") or post_id,
            kind="comment",
        )

    def _tagged(self, since: int) -> tuple[list[Post], list[Quarantined], datetime | None]:
        """Newest first, and Meta cannot list them oldest first: all since the position are read in
        one go (a few a day), or none are handed on."""
        params = {"fields": POST_FIELDS, "since": since, "limit": MAX_LIMIT}
        posts, quarantined = [], []
        for _ in range(MAX_TAGGED_PAGES):
            body = self._graph.get(f"/{self._account.id}/tagged", params)
            for raw in parse.data_of(body, "Facebook tagged"):
                try:
                    posts.append(self._tag(raw))
                except Malformed as error:
                    quarantined.append(parse.quarantine(raw, str(error)))
            after = self._graph.next_after(body)
            if after is None:
                return posts, quarantined, None
            params = {**params, "after": after}
        raise TransientError(f"Facebook tagged: more than {MAX_TAGGED_PAGES} pages of posts since {since}")

    def _tag(self, raw: Any) -> Post:
        if not isinstance(raw, dict):
            raise Malformed(f"a post that is not an object but {type(raw).__name__}")
        author = raw.get("from")
        if not isinstance(author, dict):
            raise Malformed("from is missing: the author cannot be answered")
        post_id = parse.graph_id(raw, "id")
        return Post(
            channel="facebook",
            post_id=post_id,
            author_id=parse.graph_id(author, "id"),
            author_handle=parse.optional_text(author.get("name")),
            text=parse.text(raw, "message"),
            created_at=parse.created(raw, "created_time"),
            conversation_id=post_id,
            kind="tag",
        )

    # -- writing -------------------------------------------------------------------------------

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        """A comment under the comment (Facebook keeps a reply to a reply in the same thread) or,
        for a tag, under the post."""
        body = self._graph.post(f"/{target.post_id}/comments", {"message": text})
        reply_id = body.get("id")
        if not isinstance(reply_id, str) or not parse.ID.fullmatch(reply_id):
            # It may be posted: the acknowledger looks for it before posting again.
            raise TransientError("Facebook accepted the comment but its answer has no id")
        return reply_id

    def post_status(self, text: str) -> str:
        """A post on the Page's own feed (`message` alone), published as the Page: its token needs
        pages_manage_posts besides the permissions replies need."""
        ensure_fits(self, text)
        body = self._graph.post(f"/{self._account.id}/feed", {"message": text})
        post_id = body.get("id")
        if not isinstance(post_id, str) or not parse.ID.fullmatch(post_id):
            raise TransientError("Facebook accepted the feed post but its answer has no id")
        return post_id

    can_hide_posts = True

    def hide_post(self, target: ReplyTarget) -> None:
        """Hide the comment from everyone but its author and their friends (Meta's `is_hidden`)."""
        self._graph.post(f"/{target.post_id}", {"is_hidden": "true"})

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        """The page's comment, made by an app (ours, with `app_id`), in the target's thread since
        `since`: under the top-level comment of the thread, or under a tagging post."""
        thread = target.post_id
        if target.kind != "tag" and target.post_id != target.conversation_id:
            found = self._graph.get(f"/{target.post_id}", {"fields": "id,parent{id}"})
            try:
                thread = parse.nested_id(found, "parent") or target.post_id
            except Malformed:
                raise TransientError("Facebook answered a comment whose parent is unreadable") from None
        params = {
            "filter": "toplevel",
            "order": "chronological",
            "since": int(since.timestamp()),
            "limit": MAX_LIMIT,
            "fields": COMMENT_FIELDS,
        }
        body = self._graph.get(f"/{thread}/comments", params)
        for raw in parse.data_of(body, "Facebook comments"):
            if isinstance(raw, dict) and self._ours(raw):
                return raw["id"]
        return None

    def _ours(self, raw: dict) -> bool:
        author, application = raw.get("from"), raw.get("application")
        if not isinstance(author, dict) or author.get("id") != self._account.id:
            return False
        reply_id = raw.get("id")
        if (
            not isinstance(application, dict)
            or not isinstance(reply_id, str)
            or not parse.ID.fullmatch(reply_id)
        ):
            return False  # typed by staff in Facebook itself
        return self._account.app_id is None or application.get("id") == self._account.app_id

    def reply_length(self, text: str) -> int:
        return reply_length(text)
