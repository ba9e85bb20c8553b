"""What happens to an incident's tickets when it ends (config `incidents.after`).

- `close`: a ticket whose customer got a public reply gets one more, the follow-up ("fixed now"),
  and closes: nobody needs to answer it. A follow-up is never the first public reply: a ticket
  that was not answered in public (a private message, a skipped or failed acknowledgement) resumes.
- `resume`: the ticket goes back on its own ladder. Its clock never stopped (its target and the
  report's response times count from the customer's post): see `resume_step`.
- A ticket claimed from an alert or already answered is left alone: a person has it.
- With `close`, a ticket whose acknowledgement is still on its way (deferred by a posting limit,
  being retried) waits: the follow-up comes after it, never before or instead of it.
"""

from datetime import datetime
from enum import StrEnum

from ..business_hours.policy import ResponsePolicy
from ..ladder import Ladder
from ..tickets import FINAL_ACK_STATES, AckState, Ticket, TicketStatus, clock_started_at

PRIVATE_VISIBILITIES = frozenset({"private", "direct"})


class Ending(StrEnum):
    FOLLOW_UP = "follow_up"
    RESUME = "resume"
    LEAVE = "leave"
    WAIT = "wait"  # decided on a later run


def ending_for(ticket: Ticket, after: str) -> Ending:
    if ticket.status != TicketStatus.OPEN or ticket.claimed_by:
        return Ending.LEAVE
    if after == "close" and ticket.ack_state not in FINAL_ACK_STATES:
        return Ending.WAIT
    answered_in_public = (
        ticket.ack_state == AckState.POSTED and (ticket.visibility or "public") not in PRIVATE_VISIBILITIES
    )
    if after == "close" and answered_in_public and ticket.reply_allowed:
        return Ending.FOLLOW_UP
    return Ending.RESUME


def resume_step(
    ladder: Ladder, ticket: Ticket, response: ResponsePolicy, now: datetime
) -> tuple[int, datetime] | None:
    """Where a resumed ticket's own ladder picks up: its clock never stopped, so the levels whose
    time passed during the incident are moot but the latest of them is due now (one alert at the
    severity the ticket has reached, not a burst of every level); if none passed, the first level
    at its own time."""
    started, priority = clock_started_at(ticket), ticket.priority
    passed = [
        level.number
        for level in ladder.levels
        if ladder.step_time(started, response, priority, level.number) <= now
    ]
    if passed:
        return passed[-1], now
    return ladder.next_step(started, response, priority)
