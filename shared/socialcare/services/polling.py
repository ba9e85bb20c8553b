"""poll_mentions: read each account's new mentions into tickets, and notice staff's native replies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..channels.base import (
    AccountUnavailable,
    ChannelAdapter,
    ChannelError,
    Page,
    PermanentError,
    Quarantined,
    RateLimited,
)
from ..channels.registry import network
from ..channels.retry import Budget, with_retries
from ..domain.posts import Post
from ..domain.tickets import NewTicketPolicy, Stored
from ..domain.timefmt import to_iso
from .mention_path import is_brands, new_ticket_policy, not_after, notice_brand_post
from .ports import AccountStates, Quarantine, StreamStates, Tickets

if TYPE_CHECKING:
    from ..config import AccountConfig, Config

logger = Logger(child=True)

MAX_PAGES = 50  # per stream and run: a guard against a looping cursor; the next run goes on


@dataclass
class AccountPoll:
    """What one account's poll did. Which failures fail the whole run (and so raise the function's
    errors alarm) is decided here, in `broken`:
    - a failure retrying will not fix (credentials refused, account unknown or suspended, a missing
      secret) or one nobody expected (a bug, DynamoDB refusing): yes, a person must act now;
    - a transient failure (5xx, timeout, a malformed answer) or a rate-limit pause: no, the next
      minute retries; if it lasts, the stream's PollStalled alarm pages instead."""

    account: str
    stored: int = 0
    joined: int = 0
    duplicates: int = 0
    quarantined: int = 0  # malformed posts kept aside for the first time
    human_replies: int = 0
    acks_recovered: int = 0
    cursor_moved: bool = False
    paused_until: str | None = None
    errors: list[str] = field(default_factory=list)
    failed: bool = False  # something other than a rate limit kept this poll from completing
    broken: bool = False  # fails the run (see above)
    unavailable: bool = False  # the network will not serve the account: alarmed at once
    streams_read: list[str] = field(default_factory=list)  # read completely this run
    stalled: list[str] = field(default_factory=list)  # no success for polling.stall_alarm_minutes


@dataclass
class Reading:
    started_at: str | None  # the cursor this run started from
    posts: list[Post]
    cursor: str | None  # where the next run resumes once these posts are stored
    complete: bool
    quarantined: list[Quarantined] = field(default_factory=list)


class Poller:
    def __init__(
        self,
        config: Config,
        store: Tickets,
        adapter_for: Callable[[AccountConfig], ChannelAdapter],
        budget: Budget,
        *,
        account_states: AccountStates,
        quarantine: Quarantine,
        retry_base_delay: float = 0.5,
        call_timeout: float = 10.0,
    ):
        self._config = config
        self._store = store
        self._adapter_for = adapter_for
        self._budget = budget
        self._account_states = account_states
        self._quarantine_post = quarantine
        self._retry_base_delay = retry_base_delay
        self._call_timeout = call_timeout

    def poll_all(self, now: datetime) -> list[AccountPoll]:
        return [self.poll(account, now) for account in self._config.accounts]

    def poll_by_key(self, key: str, now: datetime) -> AccountPoll | None:
        """One account, as a fanned-out poll message names it; None if it is no longer configured
        (the configuration changed after the message was sent: nothing to poll)."""
        account = next((a for a in self._config.accounts if a.key == key), None)
        return None if account is None else self.poll(account, now)

    def poll(self, account: AccountConfig, now: datetime) -> AccountPoll:
        result = AccountPoll(account=account.key)
        state = None
        try:
            state = self._account_states(account.key, network(account.channel).streams)
            self._poll_account(account, state, now, result)
        except Exception as error:  # whatever it is, only this account waits; the others go on
            _record_failure(result, error)
        self._check_health(account, state, now, result)
        return result

    def _check_health(
        self, account: AccountConfig, state: StreamStates | None, now: datetime, result: AccountPoll
    ) -> None:
        """A stream that has not been read completely for polling.stall_alarm_minutes is stalled,
        whatever the cause (errors, a long rate-limit pause, a refused account)."""
        key, streams = account.key, network(account.channel).streams
        try:
            state = state or self._account_states(account.key, streams)
            since = state.record_health({stream: stream in result.streams_read for stream in streams}, now)
        except Exception as error:
            _record_failure(result, error)
            return
        limit = timedelta(minutes=self._config.polling.stall_alarm_minutes)
        result.stalled = [stream for stream, moment in since.items() if now - moment >= limit]
        for stream in result.stalled:
            logger.error("polling stalled", account=key, stream=stream, last_success=to_iso(since[stream]))

    def _poll_account(self, account: AccountConfig, state: StreamStates, now: datetime, result) -> None:
        adapter = self._adapter_for(account)
        policy = new_ticket_policy(self._config, account)
        streams = network(account.channel).streams
        readings = {stream: self._read(adapter, account, state, stream, now, result) for stream in streams}
        # One timeline, oldest first: a follow-up posted after staff answered must see the ticket
        # answered, and one posted before must still join it.
        posts: dict[str, Post] = {}
        for reading in filter(None, readings.values()):
            for post in reading.posts:
                posts.setdefault(post.post_id, post)  # read by two streams: as the first one read it
        ordered = sorted(posts.values(), key=lambda post: (post.created_at, is_brands(post, account)))
        for post in ordered:
            post = not_after(post, now)  # after sorting: clamping must not reorder the timeline
            if is_brands(post, account):
                self._notice_brand_post(post, result)
            else:
                self._store_mention(post, policy, now, result)
        for stream, reading in readings.items():
            if reading is None:
                continue
            self._quarantine(account.key, reading, policy, now, result)
            moved = self._settle(state, stream, reading)
            result.cursor_moved = result.cursor_moved or moved
            if reading.complete:
                result.streams_read.append(stream)

    @staticmethod
    def _settle(state: StreamStates, stream: str, reading: Reading) -> bool:
        """After storing: the cursor moves to where the next run resumes, complete or not."""
        if reading.cursor is None or reading.cursor == reading.started_at:
            return False
        return state.advance(stream, reading.started_at, reading.cursor)

    def _quarantine(self, key: str, reading: Reading, policy: NewTicketPolicy, now: datetime, result) -> None:
        """Kept before the cursor moves past them: a malformed post is never just skipped."""
        for item in reading.quarantined:
            kept = self._quarantine_post(
                key,
                post_id=item.post_id,
                raw_json=item.raw_json,
                reason=item.reason,
                now=now,
                retention=policy.retention,
            )
            if kept:
                result.quarantined += 1
                logger.warning("post quarantined", account=key, post_id=item.post_id, reason=item.reason)

    def _store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime, result: AccountPoll) -> None:
        outcome = self._store.store_mention(post, policy, now)
        if outcome is Stored.CREATED:
            result.stored += 1
        elif outcome in (Stored.JOINED, Stored.REOPENED):
            result.joined += 1
        else:
            result.duplicates += 1

    def _read(
        self, adapter: ChannelAdapter, account, state: StreamStates, stream: str, now: datetime, result
    ) -> Reading | None:
        """Every page after the stream's cursor. A rate limit pauses this stream until the network's
        reset time (persisted); a failure after retries returns what was read, marked incomplete, so
        it is stored and the next run resumes after it."""
        paused = state.paused_until(stream, now)
        if paused is not None:
            result.paused_until = to_iso(paused)
            return None
        started_at = cursor = state.cursor(stream)
        # First run: don't backfill posts already past their deadline (nobody can act on them in
        # time); the deadline counts business time, so a weekend's posts are still read on Monday.
        start = self._config.response_policy(account).oldest_still_due(now)
        posts: list[Post] = []
        quarantined: list[Quarantined] = []
        for _ in range(MAX_PAGES):
            try:
                page: Page = with_retries(
                    lambda cursor=cursor: adapter.read(stream, cursor, start_time=start),
                    self._budget,
                    base_delay=self._retry_base_delay,
                    call_timeout=self._call_timeout,
                )
            except RateLimited as error:
                state.pause(stream, error.reset_at)
                result.paused_until = to_iso(error.reset_at)
                _record_failure(result, error, stream)
                return Reading(started_at, posts, cursor, False, quarantined)
            except ChannelError as error:
                _record_failure(result, error, stream)
                return Reading(started_at, posts, cursor, False, quarantined)
            posts.extend(page.posts)
            quarantined.extend(page.quarantined)
            cursor = page.cursor or cursor
            if page.complete:
                return Reading(started_at, posts, cursor, True, quarantined)
        result.errors.append(f"{stream}: more than {MAX_PAGES} pages; continuing next run")
        return Reading(started_at, posts, cursor, False, quarantined)

    def _notice_brand_post(self, post: Post, result: AccountPoll) -> None:
        noticed = notice_brand_post(self._store, post)
        result.human_replies += noticed.human_replies
        result.acks_recovered += noticed.acks_recovered


def _record_failure(result: AccountPoll, error: Exception, stream: str | None = None) -> None:
    """Counted and logged where it happened; `broken` decides whether the run fails (see AccountPoll)."""
    where = f"{stream}: " if stream else ""
    what = str(error) if isinstance(error, ChannelError) else f"{type(error).__name__}: {error}"
    result.errors.append(where + what)
    if isinstance(error, RateLimited):
        logger.info("poll paused by a rate limit", account=result.account, stream=stream, error=str(error))
        return
    result.failed = True
    result.unavailable = result.unavailable or isinstance(error, AccountUnavailable)
    if isinstance(error, ChannelError):
        result.broken = result.broken or isinstance(error, PermanentError)
        logger.warning("poll failed", account=result.account, stream=stream, error=str(error))
    else:
        result.broken = True
        logger.exception("poll failed unexpectedly", account=result.account, stream=stream)
