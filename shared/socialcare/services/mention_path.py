"""The one path a post read from a network takes into tickets, whoever read it (the poll, a
webhook): a mention opens or joins a ticket (idempotent by the post's id claim, so a post read by
both makes one ticket), and the brand's own reply in a ticket's thread stops its clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..domain.posts import Post
from ..domain.tickets import OUTCOME_UNKNOWN, AckState, NewTicketPolicy, Ticket, TicketTriage
from .ports import Tickets

if TYPE_CHECKING:
    from ..config import AccountConfig, Config

CLOCK_SKEW_TOLERANCE = timedelta(minutes=1)
logger = Logger(child=True)


def new_ticket_policy(config: Config, account: AccountConfig) -> NewTicketPolicy:
    return NewTicketPolicy(
        account_id=account.id,
        response=config.response_policy(account),
        ladder=config.ladder(),
        retention=timedelta(days=config.retention_days),
        one_open_ticket_per_author=config.limits.one_open_ticket_per_author,
        triager=partial(triage_post, config),
    )


def triage_post(config: Config, post: Post) -> TicketTriage:
    """What triage makes of a post that opens a ticket: it decides the reply, target and ladder."""
    from ..domain.triage import is_closing, triage  # here: most cold starts triage nothing

    rules = config.triage.compiled
    found = triage(post.text, rules, post.lang)
    logger.info(
        "mention triaged",
        post_id=post.post_id,
        intent=found.intent,
        priority=found.priority,
        personal_data=found.personal_data,
        reasons=list(found.reasons),  # rule names and data categories, never the customer's words
    )
    praise = found.intent == "praise"
    return TicketTriage(
        intent=found.intent,
        priority=found.priority,
        personal_data=found.personal_data,
        closing=is_closing(post.text, rules, post.lang),
        escalates=not praise or config.triage.escalate_praise,
    )


def is_brands(post: Post, account: AccountConfig) -> bool:
    """The brand's own post (a staff reply, our acknowledgement). A post in which the brand mentions
    itself is a mention like any other: recorded as an internal ticket, never answered."""
    return post.author_id == account.id and post.kind != "mention"


def not_after(post: Post, now: datetime) -> Post:
    """A post dated well after we read it means the network's clock or ours is wrong. It counts from
    when we read it, so its deadline and escalations run on our clock and are never pushed out by
    the error (a date far in the future could not even have a deadline added to it). A skew within
    a minute is below the resolution of the poll and the sweeps: the post keeps its own time."""
    return replace(post, created_at=now) if post.created_at > now + CLOCK_SKEW_TOLERANCE else post


@dataclass
class BrandPostNoticed:
    human_replies: int = 0
    acks_recovered: int = 0


def notice_brand_post(store: Tickets, post: Post) -> BrandPostNoticed:
    """A brand reply in a ticket's thread that is not one of our acknowledgements stops the clock."""
    noticed = BrandPostNoticed()
    if post.in_reply_to_id is None:
        return noticed
    for ticket in store.tickets_replied_to(post.channel, post.in_reply_to_id, post.conversation):
        if ticket.ack_post_id == post.post_id:
            continue  # our acknowledgement, recorded
        if _is_our_unrecorded_ack(ticket, post):
            # Our acknowledgement went out but its recording was lost (crash, or this read ran
            # between the post and its record): record it now, never mistake it for staff.
            store.record_ack_posted(ticket, post.post_id, ticket.ack_text, post.created_at)
            noticed.acks_recovered += 1
        elif store.record_human_reply(ticket, post.post_id, post.created_at):
            noticed.human_replies += 1
    return noticed


def _is_our_unrecorded_ack(ticket: Ticket, post: Post) -> bool:
    # "failed" too: an attempt whose outcome was unknown may have posted before it was given up.
    if ticket.ack_state not in {*OUTCOME_UNKNOWN, AckState.FAILED} or not ticket.ack_text:
        return False
    return _normal(ticket.ack_text) == _normal(post.text) and post.in_reply_to_id == ticket.post_id


def _normal(text: str) -> str:
    # Networks may fold whitespace (adapters undo their own escaping).
    return " ".join(text.split())
