"""When not to acknowledge in public, and why (the reason is recorded on the ticket)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SkipReason(StrEnum):
    ACKNOWLEDGEMENTS_OFF = "acknowledgements_off"
    AUTHOR_IS_BRAND = "author_is_brand"
    HUMAN_ALREADY_REPLIED = "human_already_replied"
    RECENTLY_ACKNOWLEDGED = "author_recently_acknowledged_in_conversation"
    # Caps against abuse and cost (limits in the configuration): not failures, and escalation still
    # runs, so a person still answers.
    AUTHOR_RECENTLY_ACKNOWLEDGED = "author_recently_acknowledged"
    ACCOUNT_HOURLY_CEILING = "account_hourly_ceiling"
    TOO_OLD = "mention_older_than_target"
    # The network allows no automated public reply to this post (e.g. it does not tag the brand).
    NETWORK_DISALLOWS_REPLY = "network_disallows_reply"


CAPS = frozenset({SkipReason.AUTHOR_RECENTLY_ACKNOWLEDGED, SkipReason.ACCOUNT_HOURLY_CEILING})


@dataclass(frozen=True)
class LastAck:
    """An author's latest public acknowledgement on an account, and the ticket it was for."""

    at: datetime
    ticket: str


@dataclass(frozen=True)
class AckSituation:
    enabled: bool
    ticket: str
    author_id: str
    brand_account_id: str
    human_replied: bool
    created_at: datetime
    last_ack_to_author_in_conversation: datetime | None
    same_author_window: timedelta
    last_ack_to_author_on_account: LastAck | None
    author_window: timedelta
    target: timedelta
    reply_allowed: bool = True


def skip_reason(situation: AckSituation, now: datetime) -> SkipReason | None:
    """The first rule that says no, or None to acknowledge. Order matters only for the recorded reason."""
    if situation.author_id == situation.brand_account_id:
        return SkipReason.AUTHOR_IS_BRAND
    if not situation.enabled:
        return SkipReason.ACKNOWLEDGEMENTS_OFF
    if not situation.reply_allowed:
        return SkipReason.NETWORK_DISALLOWS_REPLY
    if situation.human_replied:
        return SkipReason.HUMAN_ALREADY_REPLIED
    last = situation.last_ack_to_author_in_conversation
    if last is not None and now - last < situation.same_author_window:
        return SkipReason.RECENTLY_ACKNOWLEDGED
    if _author_acknowledged_elsewhere_lately(situation, now):
        return SkipReason.AUTHOR_RECENTLY_ACKNOWLEDGED
    # Promising "a person will reply within the hour" about a post older than the hour is wrong
    # (a first deployment's backfill, or a long outage): stay quiet, escalation still runs.
    if now - situation.created_at > situation.target:
        return SkipReason.TOO_OLD
    return None


def _author_acknowledged_elsewhere_lately(situation: AckSituation, now: datetime) -> bool:
    """One public acknowledgement per author per window across conversations; this ticket's own (a
    retry of its post) does not count against it."""
    last = situation.last_ack_to_author_on_account
    return last is not None and last.ticket != situation.ticket and now - last.at < situation.author_window
