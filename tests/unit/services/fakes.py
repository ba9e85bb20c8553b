"""In-memory stand-ins for the services' ports (socialcare.services.ports) and for a network, so
the services' rules are tested in milliseconds without moto. They keep the same promises as the
DynamoDB implementations: a post is claimed once, a ticket folds its author's follow-ups, writes
that the real store makes conditional are conditional here too."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import SimpleNamespace

from socialcare.channels.base import Page, ReplyTarget, TransientError
from socialcare.domain.folding import OpenTicketRef, tickets_to_join
from socialcare.domain.posts import Post
from socialcare.domain.reference import ticket_id_for, ticket_reference
from socialcare.domain.skip_rules import LastAck
from socialcare.domain.tickets import (
    FINAL_ACK_STATES,
    AckHold,
    AckReservations,
    AckState,
    AlertRecord,
    CeilingKind,
    HeldBack,
    NewTicketPolicy,
    PostClaim,
    Stored,
    Ticket,
    TicketStatus,
    TicketWhere,
)
from socialcare.services.ports import POSTING_STREAM, AckContext


class InMemoryTickets:
    def __init__(self, streams: "InMemoryStreams | None" = None, ceilings: "InMemoryCeilings | None" = None):
        self.streams = streams or InMemoryStreams()  # the accounts' posting state, read with a ticket
        self.ceilings = ceilings or InMemoryCeilings()  # the hourly ceilings an attempt reserves in
        self.tickets: dict[str, Ticket] = {}
        self.claims: dict[tuple[str, str], PostClaim] = {}
        self.in_conversation: dict[tuple[str, str, str], str] = {}  # (channel, thread, author) -> pk
        self.on_account: dict[tuple[str, str, str], str] = {}  # (channel, account, author) -> pk
        self.last_ack_in_conversation: dict[tuple[str, str, str], datetime] = {}
        self.last_ack_on_account: dict[tuple[str, str, str], LastAck] = {}
        self.fail_on_post: set[str] = set()  # post ids whose storing fails (a throttled write)
        # The escalation queue (the same table in DynamoDB): when each ticket's next step is due,
        # who holds it, and every alert recorded.
        self.next_step_at: dict[str, datetime] = {}
        self.claims_held: dict[str, str] = {}
        self.digests: dict = {}  # key -> DigestRecord, written before the digest is sent
        self.named_digests: dict[str, list[str]] = {}  # ticket pk -> digests its claimed step is in
        self.alerts: dict[str, list[AlertRecord]] = {}

    # -- storing mentions ----------------------------------------------------------------------

    def store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored:
        if post.post_id in self.fail_on_post:
            raise ConnectionError(f"storing {post.post_id} failed")
        if (post.channel, post.post_id) in self.claims:
            return Stored.DUPLICATE
        folds = policy.one_open_ticket_per_author and post.author_id != policy.account_id
        in_thread = self.in_conversation.get((post.channel, post.conversation, post.author_id))
        on_account = self.on_account.get((post.channel, policy.account_id, post.author_id)) if folds else None
        for pk in tickets_to_join(_ref(in_thread), _ref(on_account), across_conversations=folds):
            ticket = self.tickets[pk]
            if ticket.status is TicketStatus.OPEN:
                self.tickets[pk] = replace(ticket, post_ids=(*ticket.post_ids, post.post_id))
                self._claim(post, pk, "post")
                self.in_conversation[(post.channel, post.conversation, post.author_id)] = pk
                return Stored.JOINED
        policy = policy.for_post(post)
        if in_thread and self.tickets[in_thread].status is TicketStatus.ANSWERED:
            answered = self.tickets[in_thread]
            self._claim(post, in_thread, "post")
            if policy.triage.closing:  # a thank-you after staff answered: opens nothing
                self.tickets[in_thread] = replace(answered, post_ids=(*answered.post_ids, post.post_id))
                return Stored.JOINED
            priority = policy.triage.priority  # the next reply runs at the latest message's priority
            step = policy.ladder.next_step(post.created_at, policy.response, priority)
            self.tickets[in_thread] = replace(  # they answered staff: the ticket waits again
                answered,
                post_ids=(*answered.post_ids, post.post_id),
                status=TicketStatus.OPEN,
                reply_round=answered.reply_round + 1,
                waiting_since=post.created_at,
                due_at=policy.response.due_at(post.created_at, priority),
                priority=priority,
                next_level=step[0] if step else None,
            )
            if step is not None:
                self.next_step_at[in_thread] = step[1]
            return Stored.REOPENED
        ticket_id = ticket_id_for(post.channel, post.post_id)
        pk = f"TICKET#{ticket_id}"
        from_brand = post.author_id == policy.account_id
        self.tickets[pk] = Ticket(
            pk=pk,
            ticket_id=ticket_id,
            ref=ticket_reference(ticket_id),
            channel=post.channel,
            account_id=policy.account_id,
            post_id=post.post_id,
            post_ids=(post.post_id,),
            author_id=post.author_id,
            author_handle=post.author_handle,
            text=post.text,
            conversation_id=post.conversation,
            created_at=post.created_at,
            due_at=policy.response.due_at(post.created_at, policy.triage.priority),
            status=TicketStatus.INTERNAL if from_brand else TicketStatus.OPEN,
            in_reply_to_id=post.in_reply_to_id,
            post_kind=post.kind,
            visibility=post.visibility,
            reply_allowed=post.reply_allowed,
            intent=policy.triage.intent,
            priority=policy.triage.priority,
            personal_data=policy.triage.personal_data,
        )
        self._claim(post, pk, "post")
        escalates = not from_brand and policy.triage.escalates
        step = (
            policy.ladder.next_step(post.created_at, policy.response, policy.triage.priority)
            if escalates
            else None
        )
        if step is not None:
            self.tickets[pk] = replace(self.tickets[pk], next_level=step[0])
            self.next_step_at[pk] = step[1]
        self.in_conversation[(post.channel, post.conversation, post.author_id)] = pk
        if folds:
            self.on_account[(post.channel, policy.account_id, post.author_id)] = pk
        return Stored.CREATED

    def _claim(self, post: Post, pk: str, kind: str) -> None:
        self.claims[(post.channel, post.post_id)] = PostClaim(kind, pk)

    # -- reading -------------------------------------------------------------------------------

    def get(self, pk: str) -> Ticket | None:
        return self.tickets.get(pk)

    def open_tickets_in_conversation(self, channel: str, conversation_id: str) -> list[str]:
        return [
            pk
            for (c, thread, _), pk in self.in_conversation.items()
            if (c, thread) == (channel, conversation_id)
        ]

    def tickets_replied_to(self, channel: str, in_reply_to_id: str, conversation_id: str) -> list[Ticket]:
        claim = self.claims.get((channel, in_reply_to_id))
        pks = [claim.ticket_pk] if claim else self.open_tickets_in_conversation(channel, conversation_id)
        return [self.tickets[pk] for pk in pks if pk in self.tickets]

    def ack_context(self, pk: str, where: TicketWhere, account_key: str) -> AckContext | None:
        ticket = self.tickets.get(pk)
        if ticket is None:
            return None
        in_thread = (where.channel, where.conversation_id, where.author_id)
        on_account = (where.channel, where.account_id, where.author_id)
        return AckContext(
            ticket=ticket,
            last_ack_in_conversation=self.last_ack_in_conversation.get(in_thread),
            last_ack_to_author=self.last_ack_on_account.get(on_account),
            posting=self.streams(account_key, [POSTING_STREAM]),
        )

    # -- replies -------------------------------------------------------------------------------

    def record_human_reply(self, ticket: Ticket, reply_post_id: str, replied_at: datetime) -> bool:
        current = self.tickets.get(ticket.pk)
        if current is None or current.status is not TicketStatus.OPEN:
            return False
        if current.waiting_since is not None and replied_at < current.waiting_since:
            return False  # it answers an earlier round
        self.tickets[ticket.pk] = replace(
            current,
            status=TicketStatus.ANSWERED,
            human_replied_at=current.human_replied_at or replied_at,
            latest_replied_at=replied_at,
        )
        self.next_step_at.pop(ticket.pk, None)  # out of the escalation queue
        return True

    def begin_ack(
        self,
        ticket: Ticket,
        text: str,
        now: datetime,
        lease: timedelta,
        reserve: AckReservations,
        kind: str = "acknowledgement",
    ) -> Ticket | AckHold:
        """All or nothing, as the real store's transaction."""
        current = self.tickets[ticket.pk]
        if current.ack_state not in (None, AckState.RETRYING, AckState.DEFERRED):
            return AckHold.IN_PROGRESS  # (a stale "posting" lease is not modelled: the fakes never crash)
        author = (ticket.channel, ticket.account_id, ticket.author_id)
        last = self.last_ack_on_account.get(author)
        window = reserve.author_window
        if window and last is not None and last.at > now - window and last.ticket != ticket.pk:
            return AckHold.AUTHOR_TAKEN
        if reserve.ceiling_account_key is not None:
            hour = (reserve.ceiling_account_key, "ack", self.ceilings.hour_of(now))
            if self.ceilings.used.get(hour, 0) >= reserve.ceiling_limit:
                return AckHold.CEILING_SPENT
            self.ceilings.used[hour] = self.ceilings.used.get(hour, 0) + 1
        if window:
            self.last_ack_on_account[author] = LastAck(now, ticket.pk)
        self._set(
            ticket,
            ack_state=AckState.POSTING,
            ack_text=text,
            ack_kind=kind,
            ack_attempts=current.ack_attempts + 1,
            ack_unit_taken=current.ack_unit_taken or reserve.ceiling_account_key is not None,
        )
        return self.tickets[ticket.pk]

    def schedule_ack_retry(self, ticket, at, error, *, posted_maybe, attempts=0) -> bool:
        state = AckState.RETRYING if posted_maybe else AckState.DEFERRED
        current = self.tickets[ticket.pk]
        return self._unless_final(
            ticket, ack_state=state, ack_error=error, ack_attempts=current.ack_attempts + attempts
        )

    def record_ack_outcome(self, ticket, *, state, reason) -> bool:
        return self._unless_final(ticket, ack_state=AckState(state), ack_error=reason)

    def record_ack_failed(self, ticket, error) -> bool:
        return self._unless_final(ticket, ack_state=AckState.FAILED, ack_error=error)

    def record_ack_posted(self, ticket: Ticket, post_id: str, text: str, now: datetime) -> None:
        if self.tickets[ticket.pk].ack_state is AckState.POSTED:
            return
        self._set(ticket, ack_state=AckState.POSTED, ack_text=text, ack_post_id=post_id)
        self.last_ack_in_conversation[(ticket.channel, ticket.conversation_id, ticket.author_id)] = now

    def due_for_ack_retry(self, now: datetime) -> list[str]:
        return [pk for pk, t in self.tickets.items() if t.ack_state in (AckState.RETRYING, AckState.DEFERRED)]

    def _unless_final(self, ticket: Ticket, **changes) -> bool:
        if self.tickets[ticket.pk].ack_state in FINAL_ACK_STATES:
            return False
        self._set(ticket, **changes)
        return True

    def _set(self, ticket: Ticket, **changes) -> None:
        self.tickets[ticket.pk] = replace(self.tickets[ticket.pk], **changes)

    # -- the escalation queue -------------------------------------------------------------------

    def due_tickets(self, now: datetime) -> SimpleNamespace:
        keys = sorted(pk for pk, at in self.next_step_at.items() if at <= now)
        return SimpleNamespace(keys=keys, items_read=len(keys))

    def claim_level(self, pk: str, now: datetime, token: str, lease: timedelta) -> Ticket | None:
        due = self.next_step_at.get(pk)
        if due is None or due > now or pk in self.claims_held:
            return None
        self.claims_held[pk] = token
        return replace(self.tickets[pk], claim_digests=tuple(self.named_digests.get(pk, ())))

    def complete_level(self, ticket, token, records, pending, next_level, next_step_at) -> bool:
        if self.claims_held.get(ticket.pk) != token:
            return False
        del self.claims_held[ticket.pk]
        self.named_digests.pop(ticket.pk, None)
        self.alerts.setdefault(ticket.pk, []).extend(records)
        self._set(ticket, next_level=next_level, pending_sends=tuple(pending))
        self._set(ticket, alerts_recorded=len(self.alerts[ticket.pk]))
        if next_step_at is None:
            self.next_step_at.pop(ticket.pk, None)
        else:
            self.next_step_at[ticket.pk] = next_step_at
        return True

    def release_claim(self, ticket: Ticket, token: str) -> None:
        if self.claims_held.get(ticket.pk) == token:
            del self.claims_held[ticket.pk]

    def ticket_by_key(self, pk: str) -> Ticket | None:
        return self.tickets.get(pk)

    def create_digest(self, digest, now: datetime) -> bool:
        if digest.request.key in self.digests:
            return False
        self.digests[digest.request.key] = digest
        return True

    def digest(self, key: str):
        return self.digests.get(key)

    def name_digest(self, ticket: Ticket, token: str, key: str) -> bool:
        if self.claims_held.get(ticket.pk) != token:
            return False
        self.named_digests.setdefault(ticket.pk, []).append(key)
        return True

    def lose_claims(self) -> None:
        """A sweep that crashed: its claims go stale (their lease ran out) and may be taken over."""
        self.claims_held.clear()


class InMemoryCeilings:
    """Per account, kind and clock hour: units used against a limit, and what was held back."""

    def __init__(self):
        self.used: dict[tuple[str, str, str], int] = {}
        self.held: dict[tuple[str, str, str], list[str]] = {}
        self.summarised: set[tuple[str, str, str]] = set()
        self.folded: dict[str, tuple[int, str]] = {}  # recipient -> (SMS folded, since when)

    @staticmethod
    def hour_of(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H")

    def record_held(self, account_key, kind, ticket_pk, now) -> None:
        self.held.setdefault((account_key, str(kind), self.hour_of(now)), []).append(ticket_pk)

    def take(self, account_key, kind, limit, ticket_pk, now) -> bool:
        key = (account_key, str(kind), self.hour_of(now))
        if self.used.get(key, 0) >= limit:
            self.held.setdefault(key, []).append(ticket_pk)
            return False
        self.used[key] = self.used.get(key, 0) + 1
        return True

    def held_back(self, account_key: str, now: datetime) -> list[HeldBack]:
        return [
            HeldBack(account, CeilingKind(kind), hour, len(pks), pks)
            for (account, kind, hour), pks in self.held.items()
            if account == account_key
            and hour < self.hour_of(now)
            and (account, kind, hour) not in self.summarised
        ]

    def mark_summarised(self, held: HeldBack, now: datetime) -> bool:
        self.summarised.add((held.account_key, str(held.kind), held.hour))
        return True

    def take_sms(self, recipient, limit, now) -> bool:
        key = (f"recipient#{recipient}", "sms", self.hour_of(now))
        if self.used.get(key, 0) >= limit:
            count, since = self.folded.get(recipient, (0, now.isoformat()))
            self.folded[recipient] = (count + 1, since)
            return False
        self.used[key] = self.used.get(key, 0) + 1
        return True

    def folded_sms(self, recipient):
        return self.folded.get(recipient)

    def clear_folded_sms(self, recipient, count) -> None:
        left = self.folded[recipient][0] - count
        if left > 0:
            self.folded[recipient] = (left, self.folded[recipient][1])
        else:
            del self.folded[recipient]


def _ref(pk: str | None) -> OpenTicketRef | None:
    return OpenTicketRef(pk, awaiting_reply=True) if pk else None


@dataclass
class StreamRecord:
    cursor: str | None = None
    paused_until: datetime | None = None
    failing_since: datetime | None = None


class InMemoryStreams:
    """Every account's streams; `for_account` is the AccountStates port."""

    def __init__(self):
        self.records: dict[tuple[str, str], StreamRecord] = {}
        self.advances = 0

    def __call__(self, account_key: str, streams) -> "AccountStreams":
        return AccountStreams(self, account_key)


@dataclass
class AccountStreams:
    world: InMemoryStreams
    key: str

    def _record(self, stream: str) -> StreamRecord:
        return self.world.records.setdefault((self.key, stream), StreamRecord())

    def cursor(self, stream):
        return self._record(stream).cursor

    def paused_until(self, stream, now):
        until = self._record(stream).paused_until
        return until if until and until > now else None

    def pause(self, stream, until):
        self._record(stream).paused_until = until

    def advance(self, stream, expected, cursor) -> bool:
        record = self._record(stream)
        if record.cursor != expected:
            return False
        record.cursor = cursor
        self.world.advances += 1
        return True

    def record_health(self, succeeded, now):
        failing = {}
        for stream, ok in succeeded.items():
            record = self._record(stream)
            if ok:
                record.failing_since = None
            else:
                record.failing_since = record.failing_since or now
                failing[stream] = record.failing_since
        return failing


@dataclass
class ScriptedNetwork:
    """A network in memory: posts appear, replies are created, failures are scripted. Its cursor
    is the number of posts read, as a string (opaque to the services all the same)."""

    brand_id: str
    posts: list[Post] = field(default_factory=list)
    created: list[tuple[str, ReplyTarget, str]] = field(default_factory=list)  # (id, target, text)
    failures: list[Exception] = field(default_factory=list)  # raised by the next calls, in order
    lose_answer: bool = False  # the next reply is created but its answer is lost
    page_size: int = 2
    display_name = "Scripted"
    max_reply_length = 280

    def publish(self, post: Post) -> None:
        self.posts.append(post)

    def _fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        """Streams as X has them: "mentions" (others' posts) and "own" (the brand's)."""
        self._fail()
        posts = [p for p in self.posts if (p.author_id == self.brand_id) == (stream == "own")]
        start = int(cursor or 0)
        chunk = posts[start : start + self.page_size]
        end = start + len(chunk)
        return Page(chunk, str(end), complete=end >= len(posts))

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        self._fail()
        post_id = f"r{len(self.created) + 1}"
        self.created.append((post_id, target, text))
        if self.lose_answer:
            self.lose_answer = False
            raise TransientError("timed out after the reply was created")
        return post_id

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        return next(
            (post_id for post_id, made_for, _ in self.created if made_for.post_id == target.post_id), None
        )

    def reply_length(self, text: str) -> int:
        return len(text)
