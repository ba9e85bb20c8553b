"""In-memory stand-ins for the services' ports (socialcare.services.ports) and for a network, so
the services' rules are tested in milliseconds without moto. They keep the same promises as the
DynamoDB implementations: a post is claimed once, a ticket folds its author's follow-ups, writes
that the real store makes conditional are conditional here too."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from socialcare.channels.base import Page, ReplyTarget, TransientError
from socialcare.domain.folding import OpenTicketRef, tickets_to_join
from socialcare.domain.ladder import due_at
from socialcare.domain.posts import Post
from socialcare.domain.reference import ticket_id_for, ticket_reference
from socialcare.domain.skip_rules import LastAck
from socialcare.domain.tickets import (
    FINAL_ACK_STATES,
    AckState,
    NewTicketPolicy,
    PostClaim,
    Stored,
    Ticket,
    TicketStatus,
)


class InMemoryTickets:
    def __init__(self):
        self.tickets: dict[str, Ticket] = {}
        self.claims: dict[tuple[str, str], PostClaim] = {}
        self.in_conversation: dict[tuple[str, str, str], str] = {}  # (channel, thread, author) -> pk
        self.on_account: dict[tuple[str, str, str], str] = {}  # (channel, account, author) -> pk
        self.last_ack_in_conversation: dict[tuple[str, str, str], datetime] = {}
        self.last_ack_on_account: dict[tuple[str, str, str], LastAck] = {}
        self.fail_on_post: set[str] = set()  # post ids whose storing fails (a throttled write)

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
            due_at=due_at(post.created_at, policy.target),
            status=TicketStatus.INTERNAL if from_brand else TicketStatus.OPEN,
            in_reply_to_id=post.in_reply_to_id,
            post_kind=post.kind,
            visibility=post.visibility,
            reply_allowed=post.reply_allowed,
        )
        self._claim(post, pk, "post")
        self.in_conversation[(post.channel, post.conversation, post.author_id)] = pk
        if folds:
            self.on_account[(post.channel, policy.account_id, post.author_id)] = pk
        return Stored.CREATED

    def _claim(self, post: Post, pk: str, kind: str) -> None:
        self.claims[(post.channel, post.post_id)] = PostClaim(kind, pk)

    # -- reading -------------------------------------------------------------------------------

    def get(self, pk: str) -> Ticket | None:
        return self.tickets.get(pk)

    def claim_of(self, channel: str, post_id: str) -> PostClaim | None:
        return self.claims.get((channel, post_id))

    def open_tickets_in_conversation(self, channel: str, conversation_id: str) -> list[str]:
        return [
            pk
            for (c, thread, _), pk in self.in_conversation.items()
            if (c, thread) == (channel, conversation_id)
        ]

    def last_ack_to(self, channel, conversation_id, author_id) -> datetime | None:
        return self.last_ack_in_conversation.get((channel, conversation_id, author_id))

    def last_ack_to_author(self, channel, account_id, author_id) -> LastAck | None:
        return self.last_ack_on_account.get((channel, account_id, author_id))

    def reserve_author_ack(self, ticket: Ticket, window: timedelta, now: datetime) -> bool:
        key = (ticket.channel, ticket.account_id, ticket.author_id)
        last = self.last_ack_on_account.get(key)
        if last is not None and last.at > now - window and last.ticket != ticket.pk:
            return False
        self.last_ack_on_account[key] = LastAck(now, ticket.pk)
        return True

    # -- replies -------------------------------------------------------------------------------

    def record_human_reply(self, pk: str, reply_post_id: str, replied_at: datetime) -> bool:
        ticket = self.tickets.get(pk)
        if ticket is None or ticket.status is not TicketStatus.OPEN:
            return False
        self.tickets[pk] = replace(ticket, status=TicketStatus.ANSWERED, human_replied_at=replied_at)
        return True

    def begin_ack(self, ticket: Ticket, text: str, now: datetime, lease: timedelta) -> Ticket | None:
        current = self.tickets[ticket.pk]
        if current.ack_state not in (None, AckState.RETRYING, AckState.DEFERRED):
            return None  # (a stale "posting" lease is not modelled: the fakes never crash mid-post)
        self._set(ticket, ack_state=AckState.POSTING, ack_text=text, ack_attempts=current.ack_attempts + 1)
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
        self._set(ticket, ack_state=AckState.POSTED, ack_text=text)
        self.claims[(ticket.channel, post_id)] = PostClaim("ack", ticket.pk)
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
