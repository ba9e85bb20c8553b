"""What every channel adapter hands to the domain: a public post, channel-neutral."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Post:
    channel: str
    post_id: str
    author_id: str
    author_handle: str | None
    text: str
    created_at: datetime
    conversation_id: str | None = None
    in_reply_to_id: str | None = None
    lang: str | None = None
    kind: str | None = None  # the network's word for it where it matters: comment, mention, tag, post
    visibility: str | None = None  # where the network has such a notion: public, unlisted, private, direct
    # Whether the network lets an automated account answer it in public (some allow replies only
    # to posts that tag the account); the adapter decides, the acknowledger obeys.
    reply_allowed: bool = True

    @property
    def conversation(self) -> str:
        """The thread this post belongs to; a post that starts a thread is its own."""
        return self.conversation_id or self.post_id
