"""Which kind of public reply a ticket gets: the report's `ack_kind`.

Personal data comes first: whatever else the mention says, the reply must not echo it and must take
the conversation somewhere private. Praise gets a thank-you with no reference and no promise. A
ticket whose response clock is stopped (the team is closed, and its priority does not page around
the clock) says when the team is back. Everything else is acknowledged with its reference and the
promised response time."""

from dataclasses import dataclass
from datetime import datetime

from .templates import ACKNOWLEDGEMENT, AFTER_HOURS, INCIDENT, OFFLINE, THANKS


@dataclass(frozen=True)
class ReplyFacts:
    intent: str | None  # None: not triaged (an older ticket): acknowledged as before
    personal_data: bool
    # When the ticket's response clock starts running again, if it is stopped now; None: running.
    clock_resumes_at: datetime | None = None
    # The ticket belongs to an open incident: it gets the incident's status update, not a promise.
    in_incident: bool = False


def reply_kind(facts: ReplyFacts) -> str:
    if facts.personal_data:
        return OFFLINE
    if facts.intent == "praise":
        return THANKS
    if facts.in_incident:
        return INCIDENT
    if facts.clock_resumes_at is not None:
        return AFTER_HOURS
    return ACKNOWLEDGEMENT
