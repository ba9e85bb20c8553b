"""The scenario side of the Meta simulator: accounts and tokens, what customers and staff publish,
and the webhook each publication triggers (as Meta would send it to a subscribed app)."""

from __future__ import annotations

from datetime import datetime

from .store import FbComment, Store
from .usage import Usage
from .webhooks import Webhooks


class Scenario:
    store: Store
    webhooks: Webhooks
    usage: Usage
    echo_page_comments: bool

    # ---- accounts and tokens ---------------------------------------------------------------
    def add_page(self, page_id: str, name: str, token: str) -> None:
        self.store.add_page(page_id, name)
        self.store.grant(token, page_id)

    def add_ig_user(self, ig_user_id: str, username: str, token: str, page_id: str | None = None) -> None:
        """An Instagram professional account; with page_id, the page's token also acts for it."""
        self.store.add_ig_user(ig_user_id, username, page_id)
        self.store.grant(token, ig_user_id)

    def grant_token(self, object_id: str, token: str) -> None:
        self.store.grant(token, object_id)

    def revoke_token(self, token: str, reason: str = "invalidated") -> None:
        """The token stops working: code 190, subcode 460 (invalidated) or 463 (expired)."""
        if reason not in ("invalidated", "expired"):
            raise ValueError("reason is 'invalidated' or 'expired'")
        self.store.revoke(token, reason)

    def set_budget(self, object_id: str, calls: int) -> None:
        """Calls the page or Instagram account may make per usage window."""
        self.usage.set_budget(object_id, calls)

    # ---- Facebook ----------------------------------------------------------------------------
    def publish_page_post(self, page_id: str, post_id: str, message: str, created_at: datetime) -> str:
        page = self.store.pages[page_id]
        post = self.store.add_post(
            page_id=page_id,
            post_id=post_id,
            author_id=page_id,
            author_name=page.name,
            message=message,
            created_at=created_at,
            tagged=False,
        )
        return post.id

    def tag_page(
        self, page_id: str, post_id: str, author_id: str, author_name: str, message: str, created_at: datetime
    ) -> str:
        """Someone else's post that tags the page: in /{page-id}/tagged, announced as `feed` and `mention`."""
        post = self.store.add_post(
            page_id=page_id,
            post_id=post_id,
            author_id=author_id,
            author_name=author_name,
            message=message,
            created_at=created_at,
            tagged=True,
        )
        when = int(post.created_at.timestamp())
        sender = {"id": author_id, "name": author_name}
        self.webhooks.publish(
            "page",
            page_id,
            "feed",
            {
                "from": sender,
                "message": message,
                "post_id": post.id,
                "created_time": when,
                "item": "post",
                "verb": "add",
                "published": 1,
            },
        )
        self.webhooks.publish(
            "page",
            page_id,
            "mention",
            {
                "post_id": post.id,
                "sender_id": author_id,
                "sender_name": author_name,
                "item": "post",
                "verb": "add",
                "message": message,
                "created_time": when,
            },
        )
        return post.id

    def comment(
        self,
        parent_id: str,
        comment_id: str | None,
        author_id: str,
        author_name: str,
        message: str,
        created_at: datetime,
        application: dict | None = None,
    ) -> str:
        """A comment on a post or a reply to a comment. With author_id the page's, it is staff
        typing natively (no application, or another app's)."""
        comment = self.store.add_comment(
            parent_id=parent_id,
            comment_id=comment_id,
            author_id=author_id,
            author_name=author_name,
            message=message,
            created_at=created_at,
            application=application,
        )
        page_id = self.store.posts[comment.post_id].page_id
        if author_id != page_id or self.echo_page_comments:
            self._announce_fb_comment(comment)
        return comment.id

    def _announce_fb_comment(self, comment: FbComment) -> None:
        page_id = self.store.posts[comment.post_id].page_id
        value = {
            "from": {"id": comment.author_id, "name": comment.author_name},
            "message": comment.message,
            "post_id": comment.post_id,
            "comment_id": comment.id,
            "parent_id": comment.parent_id or comment.post_id,
            "created_time": int(comment.created_at.timestamp()),
            "item": "comment",
            "verb": "add",
        }
        self.webhooks.publish("page", page_id, "feed", value)

    def _created(self, network: str, object_id: str) -> None:
        """A comment made through the API: Meta announces the page's own comments too."""
        if network == "facebook" and self.echo_page_comments:
            self._announce_fb_comment(self.store.comments[object_id])

    # ---- Instagram ---------------------------------------------------------------------------
    def publish_media(self, ig_user_id: str, media_id: str, caption: str, created_at: datetime) -> str:
        user = self.store.ig_users[ig_user_id]
        self.store.add_media(
            owner_id=ig_user_id,
            media_id=media_id,
            username=user.username,
            caption=caption,
            created_at=created_at,
        )
        return media_id

    def ig_comment(
        self,
        parent_id: str,
        comment_id: str | None,
        author_id: str,
        username: str,
        text: str,
        created_at: datetime,
    ) -> str:
        """A comment on the account's media, or a reply to one (announced as `comments`)."""
        comment = self.store.add_ig_comment(
            parent_id=parent_id,
            comment_id=comment_id,
            author_id=author_id,
            username=username,
            text=text,
            created_at=created_at,
        )
        owner = self.store.owner(comment.media_id)
        if owner and author_id != owner:  # the account's own comments are not announced to it
            value = {
                "from": {"id": author_id, "username": username},
                "media": {"id": comment.media_id, "media_product_type": "FEED"},
                "id": comment.id,
                "text": text,
            }
            if comment.parent_id:
                value["parent_id"] = comment.parent_id
            self.webhooks.publish("instagram", owner, "comments", value)
        return comment.id

    def ig_mention(
        self,
        ig_user_id: str,
        *,
        media_id: str,
        comment_id: str | None = None,
        author_id: str,
        username: str,
        text: str,
        created_at: datetime,
    ) -> None:
        """@mention of the account in another account's caption (no comment_id: `media_id` is that
        account's new media, `text` its caption) or comment (`text` the comment, on `media_id`, which
        is created for the author when new). Never in the account's /media or /comments."""
        with self.store.lock:
            media = self.store.media.get(media_id)
            if media and media.owner_id in self.store.ig_users:
                raise ValueError(
                    f"media {media_id} is a brand account's own: comments there are ig_comment()"
                )
            if media is None:
                self.store.add_media(
                    owner_id=author_id,
                    media_id=media_id,
                    username=username,
                    caption=text if comment_id is None else "",
                    created_at=created_at,
                )
            if comment_id is not None:
                self.store.add_ig_comment(
                    parent_id=media_id,
                    comment_id=comment_id,
                    author_id=author_id,
                    username=username,
                    text=text,
                    created_at=created_at,
                )
            self.store.mentions.append((ig_user_id, media_id, comment_id))
        value = {"media_id": media_id, **({"comment_id": comment_id} if comment_id else {})}
        self.webhooks.publish("instagram", ig_user_id, "mentions", value)

    # ---- what clients did ----------------------------------------------------------------------
    def created_comments(self) -> list[dict]:
        with self.store.lock:
            return [dict(c) for c in self.store.created]
