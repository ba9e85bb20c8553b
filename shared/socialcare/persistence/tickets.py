"""Every write to the tickets table, each one conditional so retries and overlaps stay harmless."""

import time
from dataclasses import replace
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..domain.folding import OpenTicketRef, tickets_to_join
from ..domain.incidents.minutes import epoch_minute
from ..domain.posts import Post
from ..domain.reference import ticket_id_for, ticket_reference
from ..domain.skip_rules import LastAck
from ..domain.tickets import (
    AckHold,
    AckReservations,
    AckState,
    CeilingKind,
    NewTicketPolicy,
    PendingAlert,
    Stored,
    Ticket,
    TicketStatus,
    TicketWhere,
    clock_started_at,
)
from ..domain.timefmt import from_iso, to_iso
from ..services.ports import POSTING_STREAM as POSTING
from ..services.ports import AckContext
from . import ceilings
from .active_incidents import active_incidents
from .batch import batch_get, key
from .models import (
    ACTIVE_INCIDENTS_KEY,
    COUNTED_TEXT_CHARS,
    MENTIONS_BUCKET,
    OPEN_BUCKET,
    PENDING_BUCKET,
    AuthorMarkerModel,
    ConversationAuthorModel,
    IncidentMemberModel,
    PostClaimModel,
    StreamStateModel,
    TicketModel,
    author_pk,
    conversation_pk,
    minute_key,
    post_pk,
    ticket_pk,
)
from .state import AccountState, state_pk

logger = Logger(child=True)

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
        intent=item.intent,
        priority=item.priority or "normal",
        personal_data=bool(item.personal_data),
        ack_kind=item.ack_kind,
        ack_state=AckState(item.ack_state) if item.ack_state else None,
        ack_text=item.ack_text,
        ack_attempts=int(item.ack_attempts or 0),
        ack_error=item.ack_error,
        ack_post_id=item.ack_post_id,
        ack_unit_taken=bool(item.ack_unit_taken),
        human_replied_at=from_iso(item.human_replied_at) if item.human_replied_at else None,
        reply_round=int(item.reply_round or 1),
        waiting_since=from_iso(item.waiting_since) if item.waiting_since else None,
        latest_replied_at=from_iso(item.latest_replied_at) if item.latest_replied_at else None,
        expires_at=int(item.expires_at) if item.expires_at else None,
        next_level=int(item.next_level) if item.next_level is not None else None,
        pending_sends=tuple(
            PendingAlert(
                level=int(send.level),
                via=send.via,
                to=send.to,
                recipient=send.recipient,
                attempts=int(send.attempts),
                first_failed_at=from_iso(send.first_failed_at),
                retry_at=from_iso(send.retry_at),
                error=send.error,
            )
            for send in item.pending_sends or ()
        ),
        alerts_recorded=len(item.escalations or ()),
        claimed_by=item.claimed_by,
        claimed_at=from_iso(item.claimed_at) if item.claimed_at else None,
        incident_id=item.incident_id,
        incident_outcome=item.incident_outcome,
    )


def _expiry(now: datetime, retention: timedelta) -> int:
    return int((now + retention).timestamp())


# An incident's member list outlives the incident's end step by far; TTL is housekeeping, so the
# wall clock (not the business time of the post) sets it.
INCIDENT_MEMBERS_KEPT = timedelta(days=400)


def _expiry_in(kept: timedelta) -> int:
    return int(time.time() + kept.total_seconds())


class TicketStore:
    def __init__(self, connection: Connection | None = None):
        self._connection = connection or Connection()

    # -- incidents ----------------------------------------------------------------------------

    def link_incident(self, pk: str, incident_id: str) -> bool:
        """The open ticket belongs to an incident: it leaves the escalation index (the incident has
        its own ladder), so no per-ticket alert follows; the incident's member list gets it, in the
        same transaction, for the end step."""
        member = IncidentMemberModel(
            f"INCIDENT#{incident_id}", pk, expires_at=_expiry_in(INCIDENT_MEMBERS_KEPT)
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(
                    TicketModel(pk, "TICKET"),
                    actions=[
                        TicketModel.incident_id.set(incident_id),
                        TicketModel.esc_bucket.remove(),
                        TicketModel.next_step_at.remove(),
                    ],
                    condition=TicketModel.pk.exists() & TicketModel.incident_id.does_not_exist(),
                )
                tx.save(member)
            return True
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return False
            raise

    # -- storing mentions ----------------------------------------------------------------------

    def store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored:
        """Store `post` exactly once (its claim counts it for spike detection in the same write, so
        each stored mention counts once): folded into its author's open ticket (in this conversation, or
        with one_open_ticket_per_author in any conversation of the account), else as a new ticket.
        Overlapping polls race on the post claim; one wins, the rest see a duplicate. Two new posts
        of one author racing to open a ticket: one opens it, the other tries again and joins it."""
        for _ in range(OPEN_RACE_ATTEMPTS):
            claimed, in_conversation, author = self._read_for_store(post, policy)
            if claimed:  # read before by another poll or a webhook: nothing to write
                return Stored.DUPLICATE
            for ticket in tickets_to_join(
                _open_ref(in_conversation),
                _open_ref(author),
                across_conversations=author is not None,
            ):
                outcome = self._join(post, ticket, policy, now)
                if outcome is not None:
                    return outcome
            policy = policy.for_post(post)
            last = in_conversation.open_ticket_pk if in_conversation is not None else None
            if last and post.author_id != policy.account_id:
                # Staff answered this customer here: "sorted, thanks!" is kept with the answered
                # ticket and opens nothing; anything else reopens it for a next reply.
                if policy.triage.closing:
                    outcome = self._join(post, last, policy, now, status="answered")
                else:
                    outcome = self._reopen(post, last, policy, now)
                if outcome is not None:
                    return outcome
            outcome = self._create(post, policy, now, author)
            if outcome is not None:
                return outcome
        raise RuntimeError(
            f"post {post.post_id}: its author kept opening tickets concurrently; left for the next poll"
        )

    def _read_for_store(
        self, post: Post, policy: NewTicketPolicy
    ) -> tuple[bool, ConversationAuthorModel | None, AuthorMarkerModel | None]:
        """In one request: whether the post is stored already, the author's marker in its thread, and
        (when their mentions fold across conversations; the brand's own posts never escalate, so they
        never fold) their marker on the account, unsaved if they have none yet."""
        table = TicketModel.Meta.table_name
        claim = (post_pk(post.channel, post.post_id), "POST")
        marker = (conversation_pk(post.channel, post.conversation), f"AUTHOR#{post.author_id}")
        across = policy.one_open_ticket_per_author and post.author_id != policy.account_id
        author = (author_pk(post.channel, policy.account_id, post.author_id), "ACCOUNT")
        wanted = [claim, marker, *([author] if across else [])]
        found = batch_get(self._connection, {table: [key(*k) for k in wanted]})[table]
        in_conversation = found.get(marker)
        author_marker = None
        if across:
            raw = found.get(author)
            author_marker = AuthorMarkerModel.from_raw_data(raw) if raw else AuthorMarkerModel(*author)
        return (
            claim in found,
            ConversationAuthorModel.from_raw_data(in_conversation) if in_conversation else None,
            author_marker,
        )

    def _claim(self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime) -> PostClaimModel:
        return PostClaimModel(
            post_pk(post.channel, post.post_id),
            kind="post",
            ticket_pk=ticket,
            # Counted in the minute it was stored, not posted: the incidents job reads completed
            # minutes, and a poll stores posts from the minute before.
            mention_bucket=MENTIONS_BUCKET,
            counted_at=minute_key(epoch_minute(now), f"{post.channel}#{policy.account_id}"),
            text=post.text[:COUNTED_TEXT_CHARS],
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

    def _join(
        self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime, status: str = "open"
    ) -> Stored | None:
        """None when the ticket is no longer `status` (answered meanwhile): the post opens a new one."""
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
                    condition=TicketModel.status == status,
                )
                tx.update(marker, actions=marker_actions)
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return Stored.DUPLICATE
            if _conditional_failed(error, 1):
                return None
            raise
        return Stored.JOINED

    def _reopen(self, post: Post, ticket: str, policy: NewTicketPolicy, now: datetime) -> Stored | None:
        """The customer answered staff in the thread: the answered ticket waits again, from this
        message, with its ladder restarted (a next-reply target). None when it is not answered."""
        marker, marker_actions = self._conversation_marker_points_to(
            post, ticket, _expiry(now, policy.retention)
        )
        # The next reply's clock runs at the priority of the customer's latest message, recorded on
        # the ticket so the ladder's later steps (and the alerts) use the same one.
        priority = policy.triage.priority
        step = policy.ladder.next_step(post.created_at, policy.response, priority)
        actions = [
            TicketModel.post_ids.set(TicketModel.post_ids.append([post.post_id])),
            TicketModel.status.set("open"),
            TicketModel.reply_round.set((TicketModel.reply_round | 1) + 1),
            TicketModel.waiting_since.set(to_iso(post.created_at)),
            TicketModel.due_at.set(to_iso(policy.response.due_at(post.created_at, priority))),
            TicketModel.priority.set(priority),
        ]
        if step is not None:
            actions += [
                TicketModel.esc_bucket.set(OPEN_BUCKET),
                TicketModel.next_level.set(step[0]),
                TicketModel.next_step_at.set(to_iso(step[1])),
            ]
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(self._claim(post, ticket, policy, now), condition=PostClaimModel.pk.does_not_exist())
                tx.update(
                    TicketModel(ticket, "TICKET"), actions=actions, condition=TicketModel.status == "answered"
                )
                tx.update(marker, actions=marker_actions)
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return Stored.DUPLICATE
            if _conditional_failed(error, 1):
                return None
            raise
        return Stored.REOPENED

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
            intent=policy.triage.intent,
            priority=policy.triage.priority,
            personal_data=policy.triage.personal_data or None,
            created_at=to_iso(post.created_at),
            detected_at=to_iso(now),
            due_at=to_iso(policy.response.due_at(post.created_at, policy.triage.priority)),
            # The brand's own posts are recorded (nothing is lost) but never escalate.
            status="internal" if from_brand else "open",
            expires_at=_expiry(now, policy.retention),
            ack_bucket=PENDING_BUCKET,
            ack_retry_at=to_iso(now + STREAM_GRACE),
        )
        escalates = not from_brand and policy.triage.escalates
        step = (
            policy.ladder.next_step(post.created_at, policy.response, policy.triage.priority)
            if escalates
            else None
        )
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

    def open_tickets_in_conversation(self, channel: str, conversation_id: str) -> list[str]:
        markers = ConversationAuthorModel.query(
            conversation_pk(channel, conversation_id), consistent_read=True
        )
        return [marker.open_ticket_pk for marker in markers if marker.open_ticket_pk]

    def tickets_replied_to(self, channel: str, in_reply_to_id: str, conversation_id: str) -> list[Ticket]:
        """The tickets a brand reply to `in_reply_to_id` answers: the one holding that post (read with
        its claim in one request when the post opened it, as most do), else every open ticket in the
        thread (a reply to a post we never stored, e.g. to our own acknowledgement)."""
        table = TicketModel.Meta.table_name
        claim_key = (post_pk(channel, in_reply_to_id), "POST")
        opened_key = (ticket_pk(channel, in_reply_to_id), "TICKET")
        found = batch_get(self._connection, {table: [key(*claim_key), key(*opened_key)]})[table]
        if claim_key in found:
            holder = found[claim_key]["ticket_pk"]["S"]
            if holder == opened_key[0] and opened_key in found:
                return [to_ticket(TicketModel.from_raw_data(found[opened_key]))]
            pks = [holder]
        else:
            pks = self.open_tickets_in_conversation(channel, conversation_id)
        return [ticket for ticket in map(self.get, pks) if ticket is not None]

    def ack_context(self, pk: str, where: TicketWhere, account_key: str) -> AckContext | None:
        """What acknowledging a ticket needs, in one request: the ticket, its author's last
        acknowledgements (in the thread, on the account), the account's posting state, and the
        incidents still active."""
        tickets, states = TicketModel.Meta.table_name, StreamStateModel.Meta.table_name
        marker = (conversation_pk(where.channel, where.conversation_id), f"AUTHOR#{where.author_id}")
        author = (author_pk(where.channel, where.account_id, where.author_id), "ACCOUNT")
        posting = (state_pk(account_key, POSTING),)
        found = batch_get(
            self._connection,
            {
                tickets: [key(pk, "TICKET"), key(*marker), key(*author), key(*ACTIVE_INCIDENTS_KEY)],
                states: [key(*posting)],
            },
        )
        raw = found[tickets].get((pk, "TICKET"))
        if raw is None:
            return None
        in_thread = found[tickets].get(marker, {}).get("last_ack_at", {}).get("S")
        on_account = found[tickets].get(author, {})
        last_ack = on_account.get("last_ack_at", {}).get("S")
        state_items = [StreamStateModel.from_raw_data(item) for item in found[states].values()]
        return AckContext(
            ticket=to_ticket(TicketModel.from_raw_data(raw)),
            last_ack_in_conversation=from_iso(in_thread) if in_thread else None,
            last_ack_to_author=LastAck(
                from_iso(last_ack), on_account.get("last_ack_ticket_pk", {}).get("S", "")
            )
            if last_ack
            else None,
            posting=AccountState.from_items(account_key, [POSTING], state_items),
            active_incidents=active_incidents(found[tickets].get(ACTIVE_INCIDENTS_KEY)),
        )

    # -- human replies -------------------------------------------------------------------------

    def record_human_reply(self, ticket: Ticket, reply_post_id: str, replied_at: datetime) -> bool:
        """Stop the clock: first response recorded once, ticket leaves both sparse indexes. False
        when it was not open (answered already, or the brand's own)."""
        if ticket.status != TicketStatus.OPEN:
            return False
        waited = max(0, int((replied_at - clock_started_at(ticket)).total_seconds()))
        replied = to_iso(replied_at)
        # A reply posted before the customer's latest message answers an earlier round, not this one.
        fresh = (
            TicketModel.human_replied_at.does_not_exist()
            if ticket.waiting_since is None
            else TicketModel.waiting_since <= replied
        )
        try:
            _item(ticket).update(
                actions=[
                    TicketModel.status.set("answered"),
                    TicketModel.human_replied_at.set(TicketModel.human_replied_at | replied),
                    TicketModel.human_reply_post_id.set(reply_post_id),
                    TicketModel.first_response_seconds.set(TicketModel.first_response_seconds | waited),
                    TicketModel.latest_replied_at.set(replied),
                    TicketModel.latest_response_seconds.set(waited),
                    TicketModel.esc_bucket.remove(),
                    TicketModel.next_step_at.remove(),
                ],
                condition=(TicketModel.status == "open") & fresh,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- acknowledgements ----------------------------------------------------------------------

    def begin_ack(
        self,
        ticket: Ticket,
        text: str,
        now: datetime,
        lease: timedelta,
        reserve: AckReservations,
        kind: str = "acknowledgement",
    ) -> Ticket | AckHold:
        """Start an attempt, in one transaction: the intent (with the exact text; the ticket enters
        the retry index at now + lease, so a worker that dies mid-post is picked up by the retry
        sweep), the author's acknowledgement window and the ceiling's unit. Either all of it holds or
        nothing is written. Returns the ticket as it now stands (this attempt counted), or why not.

        The intent is also the attempt's lock: no second attempt starts while it holds, and the
        ticket's own state (posting, then posted with the reply's id) is the idempotency record."""
        stale = to_iso(now - lease)
        attempts = TicketModel.ack_attempts
        actions = [
            TicketModel.ack_state.set("posting"),
            TicketModel.ack_text.set(text),
            TicketModel.ack_kind.set(kind),
            TicketModel.ack_started_at.set(to_iso(now)),
            attempts.add(1),
            TicketModel.ack_bucket.set(PENDING_BUCKET),
            # A minute past the lease, so the sweep finds the attempt already stale.
            TicketModel.ack_retry_at.set(to_iso(now + lease + timedelta(minutes=1))),
        ]
        if reserve.ceiling_account_key is not None:
            actions.append(TicketModel.ack_unit_taken.set(True))
        # As read: nobody began, gave up or finished an attempt since (the count would have moved).
        unchanged = attempts == ticket.ack_attempts
        if not ticket.ack_attempts:  # never begun, or given back (a rate limit) down to 0
            unchanged = attempts.does_not_exist() | unchanged
        free = (
            TicketModel.ack_state.does_not_exist()
            | TicketModel.ack_state.is_in("retrying", "deferred")
            | ((TicketModel.ack_state == "posting") & (TicketModel.ack_started_at < stale))
        )
        author_window = reserve.author_window if reserve.author_window > timedelta(0) else None
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(
                    _item(ticket), actions=actions, condition=TicketModel.pk.exists() & free & unchanged
                )
                if author_window is not None:
                    tx.update(*self._author_reservation(ticket, author_window, now))
                if reserve.ceiling_account_key is not None:
                    item, ceiling_actions, condition = ceilings.taking(
                        reserve.ceiling_account_key, CeilingKind.ACKNOWLEDGEMENT, reserve.ceiling_limit, now
                    )
                    tx.update(item, actions=ceiling_actions, condition=condition)
        except TransactWriteError as error:
            if _conditional_failed(error, 0):
                return AckHold.IN_PROGRESS
            if author_window is not None and _conditional_failed(error, 1):
                return AckHold.AUTHOR_TAKEN
            if reserve.ceiling_account_key is not None and _conditional_failed(
                error, 2 if author_window else 1
            ):
                return AckHold.CEILING_SPENT
            raise
        return replace(
            ticket,
            ack_state=AckState.POSTING,
            ack_text=text,
            ack_attempts=ticket.ack_attempts + 1,
            ack_unit_taken=ticket.ack_unit_taken or reserve.ceiling_account_key is not None,
        )

    @staticmethod
    def _author_reservation(ticket: Ticket, window: timedelta, now: datetime):
        """The author's one public acknowledgement of this window, for `ticket` (taken before posting,
        so two tickets of theirs acknowledged at once cannot both post; taking it again for the same
        ticket, a retry of its post, succeeds)."""
        marker = AuthorMarkerModel(author_pk(ticket.channel, ticket.account_id, ticket.author_id), "ACCOUNT")
        actions = [
            AuthorMarkerModel.last_ack_at.set(to_iso(now)),
            AuthorMarkerModel.last_ack_ticket_pk.set(ticket.pk),
            AuthorMarkerModel.kind.set("author"),
        ]
        if ticket.expires_at:
            actions.append(AuthorMarkerModel.expires_at.set(ticket.expires_at))
        condition = (
            AuthorMarkerModel.last_ack_at.does_not_exist()
            | (AuthorMarkerModel.last_ack_at <= to_iso(now - window))
            | (AuthorMarkerModel.last_ack_ticket_pk == ticket.pk)
        )
        return marker, actions, condition

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
        """The ticket (its reply's id is how the brand timeline knows that reply is ours) and the
        author's conversation marker, in one transaction."""
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
