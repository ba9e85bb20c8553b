"""Conversation folding: a follow-up by the same author joins their open ticket, so one author has
one ticket (and one escalation ladder) at a time."""

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


def tickets_to_join(
    in_conversation: OpenTicketRef | None,
    on_account: OpenTicketRef | None,
    *,
    across_conversations: bool,
) -> list[str]:
    """The tickets a new post should try to join, in order; none left open means a new ticket.

    The author's ticket in this thread comes first; with `across_conversations` (one open ticket per
    author), their open ticket in any other thread of the account follows, so a flood spread over
    many threads still costs one ladder.
    """
    candidates = [ticket_to_join(in_conversation)]
    if across_conversations:
        candidates.append(ticket_to_join(on_account))
    return list(dict.fromkeys(ticket for ticket in candidates if ticket is not None))
