"""Conversation folding: a follow-up by the same author in the same thread joins their open ticket."""

from dataclasses import dataclass


@dataclass(frozen=True)
class OpenTicketRef:
    ticket_id: str
    awaiting_reply: bool


def ticket_to_join(candidate: OpenTicketRef | None) -> str | None:
    """The ticket a new post from the same author in the same conversation should join, if any.

    Once staff have answered, a new post is a new question (it opens a fresh ticket and clock).
    """
    if candidate is not None and candidate.awaiting_reply:
        return candidate.ticket_id
    return None
