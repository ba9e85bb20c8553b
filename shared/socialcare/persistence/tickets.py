"""Every write to the tickets table, each one conditional so retries and overlaps stay harmless."""

from datetime import datetime, timedelta

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain.folding import OpenTicketRef, tickets_to_join
from ..domain.ladder import due_at
from ..domain.posts import Post
from ..domain.reference import ticket_id_for, ticket_reference
from ..domain.skip_rules import LastAck
from ..domain.tickets import AckState, NewTicketPolicy, PostClaim, Stored, Ticket, TicketStatus
from ..domain.timefmt import from_iso, to_iso
from .models import (
    OPEN_BUCKET,
    PENDING_BUCKET,
    AuthorMarkerModel,
    ConversationAuthorModel,
    PostClaimModel,
    TicketModel,
    author_pk,
    conversation_pk,
    post_pk,
    ticket_pk,
)

# Attempts at storing one post while its author's other posts keep opening tickets concurrently.
OPEN_RACE_ATTEMPTS = 3

# The stream acknowledges a new ticket within seconds. One still unacknowledged after this (its
# stream record failed for good, e.g. storage throttled through every retry) is taken up by the
# acknowledgement retry sweep, so an acknowledgement is late at worst, never lost.
STREAM_GRACE = timedelta(minutes=5)


def _conditional_failed(error: TransactWriteError, index: int) -> bool:
    reasons = error.cancellation_reasons or []
    return (
        index < len(reasons)
        and reasons[index] is not None
        and reasons[index].code == "ConditionalCheckFailed"
    )


def _open_ref(marker: ConversationAuthorModel | AuthorMarkerModel | None) -> OpenTicketRef | None:
    # Whether the ticket still awaits a reply is settled by the join's condition (status open).
    if marker is None or not marker.open_ticket_pk:
        return None
    return OpenTicketRef(marker.open_ticket_pk, awaiting_reply=True)


def _item(ticket: Ticket) -> TicketModel:
    """The ticket's item, to update in place (conditions guard what it must still be)."""
    return TicketModel(ticket.pk, "TICKET")


def to_ticket(item: TicketModel) -> Ticket:
    return Ticket(
        pk=item.pk,
        ticket_id=item.ticket_id,
        ref=item.ref,
        channel=item.channel,
        account_id=item.account_id,
        post_id=item.post_id,
        post_ids=tuple(item.post_ids or ()),
        author_id=item.author_id,
        author_handle=item.author_handle,
        text=item.text,
        conversation_id=item.conversation_id,
        created_at=from_iso(item.created_at),
        due_at=from_iso(item.due_at),
        status=TicketStatus(item.status),
        in_reply_to_id=item.in_reply_to_id,
        lang=item.lang,
        post_kind=item.post_kind,
        visibility=item.visibility,
        reply_allowed=item.reply_allowed is not False,
        ack_state=AckState(item.ack_state) if item.ack_state else None,
        ack_text=item.ack_text,
        ack_attempts=int(item.ack_attempts or 0),
        ack_error=item.ack_error,
        human_replied_at=from_iso(item.human_replied_at) if item.human_replied_at else None,
        expires_at=int(item.expires_at) if item.expires_at else None,
    )


def _expiry(now: datetime, retention: timedelta) -> int:
    return int((now + retention).timestamp())


class TicketStore:
    def __init__(self, connection: Connection | None = None):
        self._connection = connection or Connection()

    # -- storing mentions ----------------------------------------------------------------------

    def store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored:
        """Store `post` exactly once: folded into its author's open ticket (in this conversation, or
        with one_open_ticket_per_author in any conversation of the account), else as a new ticket.
        Overlapping polls race on the post claim; one wins, the rest see a duplicate. Two new posts
        of one author racing to open a ticket: one opens it, the other tries again and joins it."""
        for _ in range(OPEN_RACE_ATTEMPTS):
            in_conversation = self._marker(post)
            author = self._author_marker(post, policy)
            for ticket in tickets_to_join(
                _open_ref(in_conversation),
                _open_ref(author),
                across_conversations=author is not None,
            ):
                outcome = self._join(post, ticket, policy, now)
                if outcome is not None:
                    return outcome
            outcome = self._create(post, policy, now, author)
            if outcome is not None:
                return outcome
        raise RuntimeError(
            f"post {post.post_id}: its author kept opening tickets concurrently; left for the next poll"
        )

    def _marker(self, post: Post) -> ConversationAuthorModel | None:
        try:
            return ConversationAuthorModel.get(
                conversation_pk(post.channel, post.conversation),
                f"AUTHOR#{post.author_id}",
                consistent_read=True,
            )
        except DoesNotExist:
            return None

    def _author_marker(self, post: Post, policy: NewTicketPolicy) -> AuthorMarkerModel | None:
        """The author's marker on the account when their mentions fold across conversations (the
        brand's own posts never escalate, so they never fold); an unsaved one if they have none yet."""
        if not policy.one_open_ticket_per_author or post.author_id == policy.account_id:
            return None
        pk = author_pk(post.channel, policy.account_id, post.author_id)
        try:
            return AuthorMarkerModel.get(pk, "ACCOUNT", consistent_read=True)
        except DoesNotExist:
            return AuthorMarkerModel(pk, "ACCOUNT")

    def _claim(self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime) -> PostClaimModel:
        return PostClaimModel(
            post_pk(post.channel, post.post_id),
            kind="post",
            ticket_pk=ticket,
            expires_at=_expiry(now, policy.retention),
        )

    def _conversation_marker_points_to(self, post: Post, ticket: str, expires_at: int):
        """The write that makes `ticket` the author's open ticket in the post's thread (staff replying
        anywhere in that thread then find it)."""
        marker = ConversationAuthorModel(
            conversation_pk(post.channel, post.conversation), f"AUTHOR#{post.author_id}"
        )
        return marker, [
            ConversationAuthorModel.open_ticket_pk.set(ticket),
            ConversationAuthorModel.kind.set("conversation"),
            ConversationAuthorModel.expires_at.set(expires_at),
        ]

    def _join(self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime) -> Stored | None:
        """None when the ticket is no longer open (answered meanwhile): the post opens a new one."""
        pk, sk = ticket, "TICKET"
        marker, marker_actions = self._conversation_marker_points_to(
            post, ticket, _expiry(now, policy.retention)
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(self._claim(post, ticket, policy, now), condition=PostClaimModel.pk.does_not_exist())
                tx.update(
                    TicketModel(pk, sk),
                    actions=[TicketModel.post_ids.set(TicketModel.post_ids.append([post.post_id]))],
                    condition=TicketModel.status == "open",
                )
                tx.update(marker, actions=marker_actions)
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return Stored.DUPLICATE
            if _conditional_failed(error, 1):
                return None
            raise
        return Stored.JOINED

    def _create(
        self, post: Post, policy: NewTicketPolicy, now: datetime, author: AuthorMarkerModel | None
    ) -> Stored | None:
        """None when the author opened another ticket since `author` was read: join that one instead."""
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
            post_kind=post.kind,
            visibility=post.visibility,
            reply_allowed=None if post.reply_allowed else False,
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
        marker, marker_actions = self._conversation_marker_points_to(post, pk, ticket.expires_at)
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(self._claim(post, pk, policy, now), condition=PostClaimModel.pk.does_not_exist())
                tx.save(ticket, condition=TicketModel.pk.does_not_exist())
                tx.update(marker, actions=marker_actions)
                if author is not None:
                    # Only if no other ticket of theirs opened since we looked: one ladder at a time.
                    seen = author.open_ticket_pk
                    tx.update(
                        AuthorMarkerModel(author.pk, author.sk),
                        actions=[
                            AuthorMarkerModel.open_ticket_pk.set(pk),
                            AuthorMarkerModel.kind.set("author"),
                            AuthorMarkerModel.expires_at.set(ticket.expires_at),
                        ],
                        condition=AuthorMarkerModel.open_ticket_pk.does_not_exist()
                        if seen is None
                        else AuthorMarkerModel.open_ticket_pk == seen,
                    )
        except TransactWriteError as error:
            if _conditional_failed(error, 0) or _conditional_failed(error, 1):
                return Stored.DUPLICATE
            if _conditional_failed(error, 3):
                return None
            raise
        return Stored.CREATED

    # -- reading -------------------------------------------------------------------------------

    def get(self, pk: str) -> Ticket | None:
        try:
            return to_ticket(TicketModel.get(pk, "TICKET", consistent_read=True))
        except DoesNotExist:
            return None

    def claim_of(self, channel: str, post_id: str) -> PostClaim | None:
        try:
            claim = PostClaimModel.get(post_pk(channel, post_id), "POST", consistent_read=True)
        except DoesNotExist:
            return None
        return PostClaim(kind=claim.kind, ticket_pk=claim.ticket_pk)

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

    # -- one public acknowledgement per author per window, across conversations ------------------

    def last_ack_to_author(self, channel: str, account_id: str, author_id: str) -> LastAck | None:
        try:
            marker = AuthorMarkerModel.get(
                author_pk(channel, account_id, author_id), "ACCOUNT", consistent_read=True
            )
        except DoesNotExist:
            return None
        if not marker.last_ack_at:
            return None
        return LastAck(from_iso(marker.last_ack_at), marker.last_ack_ticket_pk or "")

    def reserve_author_ack(self, ticket: Ticket, window: timedelta, now: datetime) -> bool:
        """Take the author's one public acknowledgement of this window for `ticket`, before posting,
        so two tickets of theirs acknowledged at once cannot both post. False when another ticket took
        it within the window; taking it again for the same ticket (a retry of its post) succeeds."""
        marker = AuthorMarkerModel(author_pk(ticket.channel, ticket.account_id, ticket.author_id), "ACCOUNT")
        actions = [
            AuthorMarkerModel.last_ack_at.set(to_iso(now)),
            AuthorMarkerModel.last_ack_ticket_pk.set(ticket.pk),
            AuthorMarkerModel.kind.set("author"),
        ]
        if ticket.expires_at:
            actions.append(AuthorMarkerModel.expires_at.set(ticket.expires_at))
        try:
            marker.update(
                actions=actions,
                condition=AuthorMarkerModel.last_ack_at.does_not_exist()
                | (AuthorMarkerModel.last_ack_at <= to_iso(now - window))
                | (AuthorMarkerModel.last_ack_ticket_pk == ticket.pk),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- human replies -------------------------------------------------------------------------

    def record_human_reply(self, pk: str, reply_post_id: str, replied_at: datetime) -> bool:
        """Stop the clock: first response recorded once, ticket leaves both sparse indexes."""
        ticket = self.get(pk)
        if ticket is None or ticket.status != TicketStatus.OPEN:
            return False
        seconds = max(0, int((replied_at - ticket.created_at).total_seconds()))
        try:
            _item(ticket).update(
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

    def begin_ack(self, ticket: Ticket, text: str, now: datetime, lease: timedelta) -> Ticket | None:
        """Record the intent (and the exact text) before posting. The ticket also enters the retry
        index at now + lease, so a worker that dies mid-post is picked up by the retry sweep. Returns the
        ticket as it now stands (its attempt counted), or None when another attempt holds it."""
        stale = to_iso(now - lease)
        item = _item(ticket)
        try:
            item.update(
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
                return None
            raise
        return to_ticket(item)

    def schedule_ack_retry(
        self, ticket: Ticket, at: datetime, error: str, *, posted_maybe: bool, attempts: int = 0
    ) -> bool:
        """Put the ticket in the retry index. `posted_maybe` (a timeout, a 5xx) makes the retry look
        for the reply on the channel before posting; a rate limit or a pause means it surely wasn't.
        `attempts` is added to the count: -1 gives back one that never reached the network (a rate
        limit, another attempt holding the post), +1 counts one that failed before begin_ack.
        False when the ticket has meanwhile reached a final state (posted, skipped, failed)."""
        actions = [
            TicketModel.ack_state.set("retrying" if posted_maybe else "deferred"),
            TicketModel.ack_bucket.set(PENDING_BUCKET),
            TicketModel.ack_retry_at.set(to_iso(at)),
            TicketModel.ack_error.set(error[:500]),
        ]
        if attempts:
            actions.append(TicketModel.ack_attempts.add(attempts))
        return self._update_unless_final(ticket, actions)

    def record_ack_outcome(self, ticket: Ticket, *, state: str, reason: str | None) -> bool:
        """A final outcome without a post: skipped, with its reason."""
        actions = [
            TicketModel.ack_state.set(state),
            TicketModel.ack_skipped_reason.set(reason),
            TicketModel.ack_bucket.remove(),
            TicketModel.ack_retry_at.remove(),
        ]
        return self._update_unless_final(ticket, actions)

    def record_ack_failed(self, ticket: Ticket, error: str) -> bool:
        """Final: no acknowledgement will be posted (refused for good, or out of attempts). The ticket
        keeps why, for its alerts; it leaves the retry index."""
        actions = [
            TicketModel.ack_state.set("failed"),
            TicketModel.ack_error.set(error[:500]),
            TicketModel.ack_bucket.remove(),
            TicketModel.ack_retry_at.remove(),
        ]
        return self._update_unless_final(ticket, actions)

    def _update_unless_final(self, ticket: Ticket, actions: list) -> bool:
        try:
            _item(ticket).update(
                actions=actions,
                condition=TicketModel.ack_state.does_not_exist()
                | TicketModel.ack_state.is_in("posting", "retrying", "deferred"),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_ack_posted(self, ticket: Ticket, post_id: str, text: str, now: datetime) -> None:
        """Ticket, the acknowledgement's own post claim (so the brand timeline knows it is ours) and
        the author's conversation marker, in one transaction."""
        expires = ticket.expires_at
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(
                    _item(ticket),
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
