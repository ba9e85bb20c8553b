"""When not to acknowledge in public, and why (the reason is recorded on the ticket)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SkipReason(StrEnum):
    ACKNOWLEDGEMENTS_OFF = "acknowledgements_off"
    AUTHOR_IS_BRAND = "author_is_brand"
    HUMAN_ALREADY_REPLIED = "human_already_replied"
    RECENTLY_ACKNOWLEDGED = "author_recently_acknowledged_in_conversation"
    TOO_OLD = "mention_older_than_target"


@dataclass(frozen=True)
class AckSituation:
    enabled: bool
    author_id: str
    brand_account_id: str
    human_replied: bool
    created_at: datetime
    last_ack_to_author_in_conversation: datetime | None
    same_author_window: timedelta
    target: timedelta


def skip_reason(situation: AckSituation, now: datetime) -> SkipReason | None:
    """The first rule that says no, or None to acknowledge. Order matters only for the recorded reason."""
    if situation.author_id == situation.brand_account_id:
        return SkipReason.AUTHOR_IS_BRAND
    if not situation.enabled:
        return SkipReason.ACKNOWLEDGEMENTS_OFF
    if situation.human_replied:
        return SkipReason.HUMAN_ALREADY_REPLIED
    last = situation.last_ack_to_author_in_conversation
    if last is not None and now - last < situation.same_author_window:
        return SkipReason.RECENTLY_ACKNOWLEDGED
    # Promising "a person will reply within the hour" about a post older than the hour is wrong
    # (a first deployment's backfill, or a long outage): stay quiet, escalation still runs.
    if now - situation.created_at > situation.target:
        return SkipReason.TOO_OLD
    return None
