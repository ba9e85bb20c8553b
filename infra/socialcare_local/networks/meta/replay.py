"""Replay scenario lines (the contract in the design notes) played onto the Meta simulator, for the
lines whose `channel` is `facebook` or `instagram`.

- `account`: a Facebook page or an Instagram account (`page_id` optional: the page it is linked to),
  given a token of its own, `token_for(channel, id)`, for the world to store as the credential.
- `brand_post`: the page's post or the account's media that customers comment under.
- `mention`: a customer's comment under `conversation_id` (the post or media), answering
  `in_reply_to_id` when that is a comment; `kind` `tag`/`post` on Facebook is a post tagging the page;
  `kind` `mention` on Instagram is an @mention in another account's comment (`id`, under media
  `conversation_id`) or caption (`id` is the media). A conversation no line created is created when
  first named, as the brand's own post or media.
- `brand_reply`: staff answering natively in the thread, as the page or account (`account` names
  which, else the owner of what is answered).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .server import MetaSimulator

CHANNELS = ("facebook", "instagram")


def _when(line: dict) -> datetime:
    at = line["at"]
    return at if isinstance(at, datetime) else datetime.fromisoformat(at.replace("Z", "+00:00"))


class MetaScenario:
    def __init__(self, sim: MetaSimulator):
        self.sim = sim
        self.accounts: dict[str, list[str]] = {channel: [] for channel in CHANNELS}

    @staticmethod
    def token_for(channel: str, account_id: str) -> str:
        return f"sim-{channel}-{account_id}-token"

    def play(self, line: dict) -> bool:
        """Apply one line; False when it is not for Facebook or Instagram (another simulator's)."""
        channel = line.get("channel")
        if channel not in CHANNELS:
            return False
        kind = line["type"]
        if kind == "account":
            self._account(channel, line)
        elif kind == "brand_post":
            self._brand_post(channel, line)
        elif kind == "mention":
            (self._facebook_mention if channel == "facebook" else self._instagram_mention)(line)
        elif kind == "brand_reply":
            (self._facebook_reply if channel == "facebook" else self._instagram_reply)(line)
        else:
            return False
        return True

    def _account(self, channel: str, line: dict) -> None:
        token = self.token_for(channel, line["id"])
        if channel == "facebook":
            self.sim.add_page(line["id"], line["handle"], token)
        else:
            self.sim.add_ig_user(line["id"], line["handle"], token, page_id=line.get("page_id"))
        self.accounts[channel].append(line["id"])

    def _account_of(self, channel: str, line: dict, object_id: str | None = None) -> str:
        owner = self.sim.store.owner(object_id) if object_id else None
        chosen = line.get("account") or owner or (self.accounts[channel] or [None])[0]
        if chosen is None:
            raise ValueError(f"a {channel} line before any {channel} account line")
        return chosen

    def _brand_post(self, channel: str, line: dict) -> None:
        if channel == "facebook":
            page = line.get("account") or line["id"].split("_")[0]
            self.sim.publish_page_post(page, line["id"], line["text"], _when(line))
        else:
            self.sim.publish_media(self._account_of(channel, line), line["id"], line["text"], _when(line))

    def _conversation(self, channel: str, line: dict) -> str:
        """The post or media the line is under, created as the brand's own when no line did."""
        conversation = line.get("conversation_id") or line.get("in_reply_to_id")
        if not conversation:
            raise ValueError(f"a {channel} comment names the post or media it is under (conversation_id)")
        store, before = self.sim.store, _when(line) - timedelta(seconds=1)
        if channel == "facebook" and conversation not in store.posts and conversation not in store.comments:
            page = conversation.split("_")[0] if conversation.split("_")[0] in store.pages else None
            return self.sim.publish_page_post(
                page or self._account_of(channel, line), conversation, "", before
            )
        if (
            channel == "instagram"
            and conversation not in store.media
            and conversation not in store.ig_comments
        ):
            self.sim.publish_media(self._account_of(channel, line), conversation, "", before)
        return conversation

    def _parent(self, line: dict, comments: dict) -> str:
        conversation = self._conversation(line["channel"], line)
        answered = line.get("in_reply_to_id")
        return answered if answered in comments else conversation

    def _author(self, line: dict) -> tuple[str, str]:
        return line["author_id"], line.get("author_handle") or f"user{line['author_id']}"

    def _facebook_mention(self, line: dict) -> None:
        author_id, name = self._author(line)
        if line.get("kind") in ("tag", "post"):
            page = self._account_of("facebook", line)
            self.sim.tag_page(page, line["id"], author_id, name, line["text"], _when(line))
            return
        parent = self._parent(line, self.sim.store.comments)
        self.sim.comment(parent, line["id"], author_id, name, line["text"], _when(line))

    def _instagram_mention(self, line: dict) -> None:
        author_id, username = self._author(line)
        if line.get("kind") == "mention":
            media = line.get("conversation_id") or line["id"]
            comment = line["id"] if media != line["id"] else None
            account = self._account_of("instagram", line)
            self.sim.ig_mention(
                account,
                media_id=media,
                comment_id=comment,
                author_id=author_id,
                username=username,
                text=line["text"],
                created_at=_when(line),
            )
            return
        parent = self._parent(line, self.sim.store.ig_comments)
        self.sim.ig_comment(parent, line["id"], author_id, username, line["text"], _when(line))

    def _facebook_reply(self, line: dict) -> None:
        page = self.sim.store.pages[self._account_of("facebook", line, line["in_reply_to_id"])]
        self.sim.comment(line["in_reply_to_id"], line["id"], page.id, page.name, line["text"], _when(line))

    def _instagram_reply(self, line: dict) -> None:
        account = self.sim.store.ig_users[self._account_of("instagram", line, line["in_reply_to_id"])]
        self.sim.ig_comment(
            line["in_reply_to_id"], line["id"], account.id, account.username, line["text"], _when(line)
        )
