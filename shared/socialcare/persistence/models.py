"""PynamoDB models. Table names come from the environment through bind_tables(), never hard-coded.

The tickets table holds every kind of item, told apart by `kind` (the acknowledge stream's filter
reads it): tickets, post claims (one per post id we have seen, so a post is stored once; a stored
mention's claim also counts it for incident detection), conversation and author markers, quarantined
posts, the acknowledgement ceilings and digests, and the incidents (their detector states, the
incidents, their members, the summary of those still active). Its indexes are all sparse.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

OPEN_BUCKET = "OPEN"  # the one partition of the sparse escalation index
PENDING_BUCKET = "PENDING"  # the one partition of the sparse acknowledgement-retry index
MENTIONS_BUCKET = "MENTIONS"  # the one partition of the sparse per-minute mention index
ACTIVE_INCIDENTS_KEY = ("INCIDENTS#ACTIVE", "SUMMARY")
COUNTED_TEXT_CHARS = 280  # of a counted mention's text, kept on its claim for an incident's top terms


def minute_key(minute: int, account_key: str) -> str:
    """The mention index's sort key: epoch minutes keep 10 digits for millennia, so string order is
    time order, and one range query reads every account's minutes."""
    return f"{minute:010d}#{account_key}"


class AwaitingReplyIndex(GlobalSecondaryIndex):
    """Only tickets with an escalation step ahead of them, by when that step is due."""

    class Meta:
        index_name = "awaiting_reply"
        projection = KeysOnlyProjection()

    esc_bucket = UnicodeAttribute(hash_key=True)
    next_step_at = UnicodeAttribute(range_key=True)


class PendingAckIndex(GlobalSecondaryIndex):
    """Only tickets whose acknowledgement waits for a retry (rate limit, outage, crashed attempt)."""

    class Meta:
        index_name = "pending_ack"
        projection = KeysOnlyProjection()

    ack_bucket = UnicodeAttribute(hash_key=True)
    ack_retry_at = UnicodeAttribute(range_key=True)


class MentionMinutesIndex(GlobalSecondaryIndex):
    """Only claims of posts stored as mentions, by the minute they were stored and their account:
    what the incidents job counts. One partition (a brand's whole traffic; an index partition takes
    1,000 writes a second), keys only (the claim holds the text, read when an incident opens)."""

    class Meta:
        index_name = "mention_minutes"
        projection = KeysOnlyProjection()

    mention_bucket = UnicodeAttribute(hash_key=True)
    counted_at = UnicodeAttribute(range_key=True)  # <epoch minute, 10 digits>#<account key>


class EscalationRecord(MapAttribute):
    level = NumberAttribute()
    via = UnicodeAttribute()
    to = UnicodeAttribute()
    recipient = UnicodeAttribute()
    at = UnicodeAttribute()
    error = UnicodeAttribute(null=True)
    digest = UnicodeAttribute(null=True)  # the digest it went in (services/digest_sending.py)


class PendingSend(MapAttribute):
    """One alert whose send failed (throttled, an outage) and waits for its retry; its level's other
    alerts and the ladder went on without it."""

    level = NumberAttribute()
    via = UnicodeAttribute()
    to = UnicodeAttribute()
    recipient = UnicodeAttribute()
    attempts = NumberAttribute()
    first_failed_at = UnicodeAttribute()
    retry_at = UnicodeAttribute()
    error = UnicodeAttribute()


class TicketModel(Model):
    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="TICKET")
    kind = UnicodeAttribute(default="ticket")
    ticket_id = UnicodeAttribute()
    ref = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    post_ids = ListAttribute(of=UnicodeAttribute)
    author_id = UnicodeAttribute()
    author_handle = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    in_reply_to_id = UnicodeAttribute(null=True)
    lang = UnicodeAttribute(null=True)
    post_kind = UnicodeAttribute(null=True)  # the network's kind of post, where replies differ by kind
    visibility = UnicodeAttribute(null=True)
    reply_allowed = BooleanAttribute(null=True)  # False: the network allows no automated reply
    intent = UnicodeAttribute(null=True)  # triage: complaint | question | praise | other
    priority = UnicodeAttribute(null=True)  # triage: urgent | normal | low (absent: normal)
    personal_data = BooleanAttribute(null=True)  # triage: the post holds personal data
    ack_kind = UnicodeAttribute(null=True)  # acknowledgement | thanks | offline | after_hours
    created_at = UnicodeAttribute()
    detected_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    status = UnicodeAttribute()  # open | answered | internal

    ack_state = UnicodeAttribute(null=True)  # posting | retrying | deferred | posted | skipped | failed
    ack_text = UnicodeAttribute(null=True)
    ack_attempts = NumberAttribute(null=True)
    ack_started_at = UnicodeAttribute(null=True)
    ack_post_id = UnicodeAttribute(null=True)
    ack_unit_taken = BooleanAttribute(null=True)  # holds a unit of the account's hourly ceiling
    acknowledged_at = UnicodeAttribute(null=True)
    ack_skipped_reason = UnicodeAttribute(null=True)
    ack_error = UnicodeAttribute(null=True)
    ack_bucket = UnicodeAttribute(null=True)
    ack_retry_at = UnicodeAttribute(null=True)

    human_replied_at = UnicodeAttribute(null=True)  # the first
    human_reply_post_id = UnicodeAttribute(null=True)
    first_response_seconds = NumberAttribute(null=True)
    # Next reply: the round of waiting (absent: 1), since when, and staff's latest reply.
    reply_round = NumberAttribute(null=True)
    waiting_since = UnicodeAttribute(null=True)
    latest_replied_at = UnicodeAttribute(null=True)
    latest_response_seconds = NumberAttribute(null=True)

    esc_bucket = UnicodeAttribute(null=True)
    next_step_at = UnicodeAttribute(null=True)
    next_level = NumberAttribute(null=True)
    claim_level = NumberAttribute(null=True)
    claim_token = UnicodeAttribute(null=True)
    claim_at = UnicodeAttribute(null=True)
    claim_digests = ListAttribute(of=UnicodeAttribute, null=True)  # digests the claimed step is in
    escalations = ListAttribute(of=EscalationRecord, null=True)
    pending_sends = ListAttribute(of=PendingSend, null=True)  # next_step_at is never after their retry_at
    claimed_by = UnicodeAttribute(null=True)  # who claimed it from an alert's link
    claimed_at = UnicodeAttribute(null=True)
    incident_id = UnicodeAttribute(null=True)  # the open incident it belongs to (out of its own ladder)
    # When its incident ended: "posting" (the follow-up reply claimed), "closed" (posted), "resumed"
    # (back on its own ladder). Set once, conditionally: the follow-up is never posted twice.
    incident_outcome = UnicodeAttribute(null=True)
    follow_up_post_id = UnicodeAttribute(null=True)
    follow_up_at = UnicodeAttribute(null=True)
    follow_up_text = UnicodeAttribute(null=True)

    expires_at = NumberAttribute(null=True)  # TTL, Unix seconds

    awaiting_reply = AwaitingReplyIndex()
    pending_ack = PendingAckIndex()


class PostClaimModel(Model):
    """pk POST#<channel>#<post id>: this post is stored (kind post) or is our acknowledgement (kind ack).
    A stored mention's claim also counts it for incident detection, in the same write: the minute and
    account it was stored under (the mention_minutes index) and its text's start (top terms)."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="POST")
    kind = UnicodeAttribute()
    ticket_pk = UnicodeAttribute()
    mention_bucket = UnicodeAttribute(null=True)
    counted_at = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)

    mention_minutes = MentionMinutesIndex()


class ConversationAuthorModel(Model):
    """pk CONV#<channel>#<conversation>, sk AUTHOR#<author id>: one author's place in one thread."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute(default="conversation")
    open_ticket_pk = UnicodeAttribute(null=True)
    last_ack_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)


class StreamStateModel(Model):
    """pk <account key>#<stream>: one stream of one account (e.g. its mentions, its own posts, its
    posting). Where its reading stands, as the network's own cursor (opaque here), a rate-limit pause,
    and since when it has failed, if it is failing."""

    class Meta:
        table_name = "StateTable"

    pk = UnicodeAttribute(hash_key=True)
    cursor = UnicodeAttribute(null=True)
    paused_until = UnicodeAttribute(null=True)
    failing_since = UnicodeAttribute(null=True)


class SessionModel(Model):
    """pk session#<account key>: a network's login session kept between invocations (for networks
    whose logins are scarce). On the state table, encrypted at rest; the value is never logged."""

    class Meta:
        table_name = "StateTable"

    pk = UnicodeAttribute(hash_key=True)
    session = UnicodeAttribute()


class CeilingModel(Model):
    """pk CEILING#<account key>, sk <kind>#<hour>: how many acknowledgements or alerts an account used
    in one clock hour, and what the ceiling held back (summarised to staff once the hour is over)."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute(default="ceiling")
    used = NumberAttribute(null=True)
    held = NumberAttribute(null=True)
    held_tickets = ListAttribute(of=UnicodeAttribute, null=True)  # the first HELD_LISTED ticket keys
    summarised_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)


class DigestEntry(MapAttribute):
    """One ticket step's alert combined into a digest."""

    ticket_pk = UnicodeAttribute()
    level = NumberAttribute()


class DigestModel(Model):
    """pk DIGEST#<recipient>#<via>#<sweep id>: one message combining several tickets' alerts, written
    before it is sent, so a sweep that takes a crashed one's claims over re-sends this very message
    (under the same idempotency key) instead of composing a new one."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="DIGEST")
    kind = UnicodeAttribute(default="digest")
    recipient = UnicodeAttribute()
    via = UnicodeAttribute()
    to = UnicodeAttribute()
    entries = ListAttribute(of=DigestEntry)
    text = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    html = UnicodeAttribute(null=True)
    folded = NumberAttribute(null=True)  # the SMS budget's note it carries (cleared once sent)
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


class QuarantinedPostModel(Model):
    """pk QUARANTINE#<account key>#<post id, or a hash of the raw JSON>: a post the network sent that
    could not be read, kept with its raw JSON and the reason for a person to look at."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="QUARANTINE")
    kind = UnicodeAttribute(default="quarantine")
    account = UnicodeAttribute()
    post_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    raw_json = UnicodeAttribute()  # truncated to a sane size
    quarantined_at = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


class AuthorMarkerModel(Model):
    """pk AUTHOR#<channel>#<account id>#<author id>, sk ACCOUNT: one author's place on one brand account,
    across conversations: their open ticket (one ladder at a time) and their last public
    acknowledgement (reserved before posting, with the ticket that holds the reservation)."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="ACCOUNT")
    kind = UnicodeAttribute(default="author")
    open_ticket_pk = UnicodeAttribute(null=True)
    last_ack_at = UnicodeAttribute(null=True)
    last_ack_ticket_pk = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)


class SpikeStateModel(Model):
    """pk SPIKE#<account key or *>, sk STATE: the detector's state, saved on the version it was read at."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="STATE")
    kind = UnicodeAttribute(default="spike_state")
    state = UnicodeAttribute()  # JSON of SpikeState.to_dict()
    version = NumberAttribute()


class IncidentModel(Model):
    """pk INCIDENTS, sk <incident id>: one partition, since a brand has a few incidents a month."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True, default="INCIDENTS")
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute(default="incident")
    account = UnicodeAttribute()
    started_at = UnicodeAttribute()
    mentions = NumberAttribute()
    expected = NumberAttribute()
    window_minutes = NumberAttribute()
    top_terms = ListAttribute(of=UnicodeAttribute)
    samples = ListAttribute(of=UnicodeAttribute)
    status = UnicodeAttribute()  # open | resolved
    resolved_at = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    alerted_level = NumberAttribute(default=0)
    status_posts = ListAttribute(of=MapAttribute, null=True)  # {at, post_id (absent: unknown), text}
    last_status_at = UnicodeAttribute(null=True)
    wound_up_at = UnicodeAttribute(null=True)  # its tickets closed or resumed after it ended
    resolved_post_at = UnicodeAttribute(null=True)  # the last status post ("fixed"), claimed once
    expires_at = NumberAttribute(null=True)


class ActiveIncidentsModel(Model):
    """pk INCIDENTS#ACTIVE, sk SUMMARY: the incidents open, or ended with their end step still to
    run, as JSON {incident id: ActiveIncident.to_dict()}. Written in the same transaction as the
    incident's creation, end and wind-up, on the version read; acknowledging reads it with the ticket."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True, default=ACTIVE_INCIDENTS_KEY[0])
    sk = UnicodeAttribute(range_key=True, default=ACTIVE_INCIDENTS_KEY[1])
    kind = UnicodeAttribute(default="active_incidents")
    incidents = UnicodeAttribute(default="{}")
    version = NumberAttribute(default=0)


class IncidentMemberModel(Model):
    """pk INCIDENT#<incident id>, sk <ticket pk>: the incident's tickets, written with the link (a
    linked ticket leaves the escalation index, so this is how the end step finds them)."""

    class Meta:
        table_name = "TicketsTable"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = NumberAttribute(null=True)


TICKETS_MODELS = (
    TicketModel,
    PostClaimModel,
    ConversationAuthorModel,
    CeilingModel,
    DigestModel,
    QuarantinedPostModel,
    AuthorMarkerModel,
    SpikeStateModel,
    IncidentModel,
    ActiveIncidentsModel,
    IncidentMemberModel,
)


def bind_tables(*, tickets_table: str, state_table: str, region: str | None = None, host: str | None = None):
    """Point the models at the deployed (or local) tables; resets cached connections."""
    for model in TICKETS_MODELS:
        model.Meta.table_name = tickets_table
    StreamStateModel.Meta.table_name = state_table
    SessionModel.Meta.table_name = state_table
    for model in (*TICKETS_MODELS, StreamStateModel, SessionModel):
        if region:
            model.Meta.region = region
        model.Meta.host = host
        model._connection = None


def ticket_pk(channel: str, post_id: str) -> str:
    return f"TICKET#{channel}#{post_id}"


def post_pk(channel: str, post_id: str) -> str:
    return f"POST#{channel}#{post_id}"


def conversation_pk(channel: str, conversation_id: str) -> str:
    return f"CONV#{channel}#{conversation_id}"


def author_pk(channel: str, account_id: str, author_id: str) -> str:
    return f"AUTHOR#{channel}#{account_id}#{author_id}"
