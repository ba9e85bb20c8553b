"""Every write to the tickets table, each one conditional so retries and overlaps stay harmless."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain.folding import OpenTicketRef, ticket_to_join
from ..domain.ladder import Ladder, due_at
from ..domain.posts import Post
from ..domain.reference import ticket_id_for, ticket_reference
from ..domain.timefmt import from_iso, to_iso
from .models import (
    OPEN_BUCKET,
    PENDING_BUCKET,
    ConversationAuthorModel,
    PostClaimModel,
    TicketModel,
    conversation_pk,
    post_pk,
    ticket_pk,
)

# The stream acknowledges a new ticket within seconds. One still unacknowledged after this (its
# stream record failed for good, e.g. storage throttled through every retry) is taken up by the
# acknowledgement retry sweep, so an acknowledgement is late at worst, never lost.
STREAM_GRACE = timedelta(minutes=5)


class Stored(StrEnum):
    CREATED = "created"
    JOINED = "joined"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class NewTicketPolicy:
    account_id: str
    target: timedelta
    ladder: Ladder
    retention: timedelta


def _conditional_failed(error: TransactWriteError, index: int) -> bool:
    reasons = error.cancellation_reasons or []
    return (
        index < len(reasons)
        and reasons[index] is not None
        and reasons[index].code == "ConditionalCheckFailed"
    )


def _expiry(now: datetime, retention: timedelta) -> int:
    return int((now + retention).timestamp())


class TicketStore:
    def __init__(self, connection: Connection | None = None):
        self._connection = connection or Connection()

    # -- storing mentions ----------------------------------------------------------------------

    def store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored:
        """Store `post` exactly once: as a new ticket, or folded into its author's open ticket in
        the same conversation. Overlapping polls race on the post claim; one wins, the rest see
        a duplicate."""
        marker = self._marker(post)
        candidate = None
        if marker is not None and marker.open_ticket_pk:
            candidate = OpenTicketRef(marker.open_ticket_pk, awaiting_reply=True)
        join = ticket_to_join(candidate)
        if join is not None:
            outcome = self._join(post, join, policy, now)
            if outcome is not None:
                return outcome
        return self._create(post, policy, now)

    def _marker(self, post: Post) -> ConversationAuthorModel | None:
        try:
            return ConversationAuthorModel.get(
                conversation_pk(post.channel, post.conversation),
                f"AUTHOR#{post.author_id}",
                consistent_read=True,
            )
        except DoesNotExist:
            return None

    def _claim(self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime) -> PostClaimModel:
        return PostClaimModel(
            post_pk(post.channel, post.post_id),
            kind="post",
            ticket_pk=ticket,
            expires_at=_expiry(now, policy.retention),
        )

    def _join(self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime) -> Stored | None:
        """None when the ticket is no longer open (answered meanwhile): the post opens a new one."""
        pk, sk = ticket, "TICKET"
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(self._claim(post, ticket, policy, now), condition=PostClaimModel.pk.does_not_exist())
                tx.update(
                    TicketModel(pk, sk),
                    actions=[TicketModel.post_ids.set(TicketModel.post_ids.append([post.post_id]))],
                    condition=TicketModel.status == "open",
                )
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return Stored.DUPLICATE
            if _conditional_failed(error, 1):
                return None
            raise
        return Stored.JOINED

    def _create(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored:
        pk = ticket_pk(post.channel, post.post_id)
        ticket_id = ticket_id_for(post.channel, post.post_id)
        from_brand = post.author_id == policy.account_id
        ticket = TicketModel(
            pk,
            "TICKET",
            ticket_id=ticket_id,
            ref=ticket_reference(ticket_id),
            channel=post.channel,
            account_id=policy.account_id,
            post_id=post.post_id,
            post_ids=[post.post_id],
            author_id=post.author_id,
            author_handle=post.author_handle,
            text=post.text,
            conversation_id=post.conversation,
            in_reply_to_id=post.in_reply_to_id,
            lang=post.lang,
            created_at=to_iso(post.created_at),
            detected_at=to_iso(now),
            due_at=to_iso(due_at(post.created_at, policy.target)),
            # The brand's own posts are recorded (nothing is lost) but never escalate.
            status="internal" if from_brand else "open",
            expires_at=_expiry(now, policy.retention),
            ack_bucket=PENDING_BUCKET,
            ack_retry_at=to_iso(now + STREAM_GRACE),
        )
        step = None if from_brand else policy.ladder.next_step(post.created_at, policy.target, 0)
        if step is not None:
            ticket.esc_bucket, ticket.next_level, ticket.next_step_at = OPEN_BUCKET, step[0], to_iso(step[1])
        marker = ConversationAuthorModel(
            conversation_pk(post.channel, post.conversation),
            f"AUTHOR#{post.author_id}",
            expires_at=_expiry(now, policy.retention),
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(self._claim(post, pk, policy, now), condition=PostClaimModel.pk.does_not_exist())
                tx.save(ticket, condition=TicketModel.pk.does_not_exist())
                tx.update(
                    marker,
                    actions=[
                        ConversationAuthorModel.open_ticket_pk.set(pk),
                        ConversationAuthorModel.kind.set("conversation"),
                        ConversationAuthorModel.expires_at.set(marker.expires_at),
                    ],
                )
        except TransactWriteError as error:
            if _conditional_failed(error, 0) or _conditional_failed(error, 1):
                return Stored.DUPLICATE
            raise
        return Stored.CREATED

    # -- reading -------------------------------------------------------------------------------

    def get(self, pk: str) -> TicketModel | None:
        try:
            return TicketModel.get(pk, "TICKET", consistent_read=True)
        except DoesNotExist:
            return None

    def claim_of(self, channel: str, post_id: str) -> PostClaimModel | None:
        try:
            return PostClaimModel.get(post_pk(channel, post_id), "POST", consistent_read=True)
        except DoesNotExist:
            return None

    def open_tickets_in_conversation(self, channel: str, conversation_id: str) -> list[str]:
        markers = ConversationAuthorModel.query(
            conversation_pk(channel, conversation_id), consistent_read=True
        )
        return [marker.open_ticket_pk for marker in markers if marker.open_ticket_pk]

    def last_ack_to(self, channel: str, conversation_id: str, author_id: str) -> datetime | None:
        try:
            marker = ConversationAuthorModel.get(
                conversation_pk(channel, conversation_id), f"AUTHOR#{author_id}", consistent_read=True
            )
        except DoesNotExist:
            return None
        return from_iso(marker.last_ack_at) if marker.last_ack_at else None

    # -- human replies -------------------------------------------------------------------------

    def record_human_reply(self, pk: str, reply_post_id: str, replied_at: datetime) -> bool:
        """Stop the clock: first response recorded once, ticket leaves both sparse indexes."""
        ticket = self.get(pk)
        if ticket is None or ticket.status != "open":
            return False
        seconds = max(0, int((replied_at - from_iso(ticket.created_at)).total_seconds()))
        try:
            ticket.update(
                actions=[
                    TicketModel.status.set("answered"),
                    TicketModel.human_replied_at.set(to_iso(replied_at)),
                    TicketModel.human_reply_post_id.set(reply_post_id),
                    TicketModel.first_response_seconds.set(seconds),
                    TicketModel.esc_bucket.remove(),
                    TicketModel.next_step_at.remove(),
                ],
                condition=(TicketModel.status == "open") & TicketModel.human_replied_at.does_not_exist(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- acknowledgements ----------------------------------------------------------------------

    def begin_ack(self, ticket: TicketModel, text: str, now: datetime, lease: timedelta) -> bool:
        """Record the intent (and the exact text) before posting. The ticket also enters the retry
        index at now + lease, so a worker that dies mid-post is picked up by the retry sweep."""
        stale = to_iso(now - lease)
        try:
            ticket.update(
                actions=[
                    TicketModel.ack_state.set("posting"),
                    TicketModel.ack_text.set(text),
                    TicketModel.ack_started_at.set(to_iso(now)),
                    TicketModel.ack_attempts.add(1),
                    TicketModel.ack_bucket.set(PENDING_BUCKET),
                    # A minute past the lease, so the sweep finds the attempt already stale.
                    TicketModel.ack_retry_at.set(to_iso(now + lease + timedelta(minutes=1))),
                ],
                condition=TicketModel.ack_state.does_not_exist()
                | TicketModel.ack_state.is_in("retrying", "deferred")
                | ((TicketModel.ack_state == "posting") & (TicketModel.ack_started_at < stale)),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def schedule_ack_retry(
        self, ticket: TicketModel, at: datetime, error: str, *, posted_maybe: bool
    ) -> None:
        """Put the ticket in the retry index. `posted_maybe` (a timeout, a 5xx) makes the retry look
        for the reply on the channel before posting; a rate limit or a pause means it surely wasn't."""
        ticket.update(
            actions=[
                TicketModel.ack_state.set("retrying" if posted_maybe else "deferred"),
                TicketModel.ack_bucket.set(PENDING_BUCKET),
                TicketModel.ack_retry_at.set(to_iso(at)),
                TicketModel.ack_error.set(error[:500]),
            ],
            condition=TicketModel.ack_state.does_not_exist()
            | TicketModel.ack_state.is_in("posting", "retrying", "deferred"),
        )

    def record_ack_outcome(self, ticket: TicketModel, *, state: str, reason: str | None) -> bool:
        """A final outcome without a post: skipped (with its reason) or failed (rejected by the network)."""
        try:
            ticket.update(
                actions=[
                    TicketModel.ack_state.set(state),
                    TicketModel.ack_skipped_reason.set(reason),
                    TicketModel.ack_bucket.remove(),
                    TicketModel.ack_retry_at.remove(),
                ],
                condition=TicketModel.ack_state.does_not_exist()
                | TicketModel.ack_state.is_in("posting", "retrying", "deferred"),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_ack_posted(self, ticket: TicketModel, post_id: str, text: str, now: datetime) -> None:
        """Ticket, the acknowledgement's own post claim (so the brand timeline knows it is ours) and
        the author's conversation marker, in one transaction."""
        expires = ticket.expires_at
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(
                    TicketModel(ticket.pk, ticket.sk),
                    actions=[
                        TicketModel.ack_state.set("posted"),
                        TicketModel.ack_post_id.set(post_id),
                        TicketModel.ack_text.set(text),
                        TicketModel.acknowledged_at.set(to_iso(now)),
                        TicketModel.ack_bucket.remove(),
                        TicketModel.ack_retry_at.remove(),
                        TicketModel.ack_error.remove(),
                    ],
                    condition=TicketModel.ack_state != "posted",
                )
                tx.save(
                    PostClaimModel(
                        post_pk(ticket.channel, post_id), kind="ack", ticket_pk=ticket.pk, expires_at=expires
                    )
                )
                tx.update(
                    ConversationAuthorModel(
                        conversation_pk(ticket.channel, ticket.conversation_id), f"AUTHOR#{ticket.author_id}"
                    ),
                    actions=[
                        ConversationAuthorModel.last_ack_at.set(to_iso(now)),
                        ConversationAuthorModel.kind.set("conversation"),
                    ],
                )
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return  # recorded already by an earlier attempt
            raise

    def due_for_ack_retry(self, now: datetime) -> list[str]:
        return [
            item.pk
            for item in TicketModel.pending_ack.query(PENDING_BUCKET, TicketModel.ack_retry_at <= to_iso(now))
        ]
