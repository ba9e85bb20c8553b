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

    @property
    def conversation(self) -> str:
        """The thread this post belongs to; a post that starts a thread is its own."""
        return self.conversation_id or self.post_id
