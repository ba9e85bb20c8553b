"""The end of an incident on in-memory ports: with `after: close` the tickets answered in public
get one follow-up each and close, the rest go back on their own ladders at the severity they have
reached; a follow-up is never posted twice (overlapping runs, a crash after its claim) and one the
network refuses is counted and its ticket resumes; the last status post goes once."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from socialcare.channels.base import RateLimited
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.domain.tickets import AckState, Ticket, TicketStatus
from socialcare.runtime import metric_names
from socialcare.services.incident_endings import POSTING, IncidentEnder
from socialcare.services.incidents import Incident

STARTED = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
ENDED = STARTED + timedelta(minutes=40)
INCIDENT_ID = "inc-1"


def config(**incidents):
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data["incidents"] = {"status_posts": {"enabled": True}, **incidents}
    return parse_config(yaml.safe_dump(data), "test.yaml")


def ticket(number: int, *, minutes_before_end=30, **changes) -> Ticket:
    created = ENDED - timedelta(minutes=minutes_before_end)
    values = dict(
        pk=f"TICKET#x#{number}",
        ticket_id=f"t{number}",
        ref=f"SC-{number:04d}",
        channel="x",
        account_id="9001",
        post_id=f"p{number}",
        post_ids=(f"p{number}",),
        author_id=f"a{number}",
        author_handle=f"user{number}",
        text="is the site down? my email is jane@example.com",
        conversation_id=f"p{number}",
        created_at=created,
        due_at=created + timedelta(hours=1),
        status=TicketStatus.OPEN,
        ack_state=AckState.POSTED,
        visibility="public",
        incident_id=INCIDENT_ID,
    )
    values.update(changes)
    return Ticket(**values)


class FakeEndings:
    def __init__(self, tickets, status_posts=()):
        self.tickets = {t.pk: t for t in tickets}
        self.incident = Incident(
            INCIDENT_ID,
            "x#9001",
            STARTED,
            40,
            3.0,
            3,
            ["down", "site"],
            [],
            status="resolved",
            resolved_at=ENDED,
            resolved_by="jane",
            status_posts=[dict(p) for p in status_posts],
        )
        self.steps, self.follow_ups, self.wound = {}, {}, None
        self.resolved_posts = []

    def ended_incidents(self):
        return [] if self.wound else [self.incident]

    def members(self, incident_id):
        return list(self.tickets.values())

    def _set(self, pk, **changes):
        self.tickets[pk] = dataclasses.replace(self.tickets[pk], **changes)

    def claim_follow_up(self, t, incident_id):
        now = self.tickets[t.pk]
        if now.status != TicketStatus.OPEN or now.incident_outcome or now.claimed_by:
            return False
        self._set(t.pk, incident_outcome=POSTING)
        return True

    def record_follow_up(self, t, post_id, text, at):
        if self.tickets[t.pk].incident_outcome != POSTING:
            return False
        self._set(t.pk, incident_outcome="closed", status=TicketStatus.CLOSED)
        self.follow_ups[t.pk] = text
        return True

    def release_follow_up(self, t):
        if self.tickets[t.pk].incident_outcome != POSTING:
            return False
        self._set(t.pk, incident_outcome=None)
        return True

    def resume(self, t, incident_id, step, *, after_claim=False):
        now = self.tickets[t.pk]
        expected = POSTING if after_claim else None
        if now.status != TicketStatus.OPEN or now.claimed_by or now.incident_outcome != expected:
            return False
        self._set(t.pk, incident_outcome="resumed")
        self.steps[t.pk] = step
        return True

    def claim_resolved_post(self, incident_id, at, text):
        if self.resolved_posts:
            return False
        self.resolved_posts.append(text)
        return True

    def record_resolved_post(self, incident_id, at, post_id):
        pass

    def wound_up(self, incident_id, at):
        if self.wound:
            return False
        self.wound = at
        return True


class FakeReplier:
    def __init__(self, fail_for=(), crash_for=(), limit=None):
        self.posted, self.fail_for, self.crash_for = [], set(fail_for), set(crash_for)
        self.limit, self.refused = limit, 0  # replies the network takes before its 429s

    def reply(self, account, t, render):
        text = render(280, len)
        if t.pk in self.crash_for:
            raise KeyboardInterrupt  # the process dies mid-post: nothing after it runs
        if t.pk in self.fail_for:
            raise RuntimeError("403 duplicate content")
        if self.limit is not None and len(self.posted) >= self.limit:
            self.refused += 1
            raise RateLimited(ENDED + timedelta(minutes=15))
        self.posted.append((t.post_id, text))
        return f"r-{t.post_id}", text


class FakePoster:
    def __init__(self):
        self.posts = []

    def can_post_status(self, account):
        return True

    def post_status(self, account, text):
        self.posts.append(text)
        return f"s{len(self.posts)}"


def ender(cfg, data, replier, poster=None, counted=None):
    counted = [] if counted is None else counted
    return IncidentEnder(cfg, data, replier, poster or FakePoster(), lambda name, n: counted.append(name))


def test_close_follows_up_public_answers_once_and_resumes_the_rest():
    tickets = [
        ticket(1),
        ticket(2, visibility="direct"),  # a private message is never answered in public
        ticket(3, ack_state=AckState.FAILED),  # no public reply yet: a person answers first
        ticket(4, claimed_by="jane"),  # someone has it
        ticket(5, status=TicketStatus.ANSWERED),
    ]
    data, replier = FakeEndings(tickets), FakeReplier()
    assert ender(config(after="close"), data, replier).run(ENDED) == 1
    assert [post for post, _ in replier.posted] == ["p1"]
    text = data.follow_ups["TICKET#x#1"]
    assert "SC-0001" in text and "fixed" in text and "jane@" not in text
    assert data.tickets["TICKET#x#1"].status == TicketStatus.CLOSED
    assert set(data.steps) == {"TICKET#x#2", "TICKET#x#3"}
    assert data.tickets["TICKET#x#4"].incident_outcome is None  # left to who claimed it
    assert data.wound == ENDED
    assert ender(config(after="close"), data, replier).run(ENDED + timedelta(minutes=1)) == 0


def test_resume_picks_up_at_the_severity_reached_not_every_level_missed():
    # Ladder 50/80/100% of 60 minutes: 55 minutes old -> 50% and 80% passed -> level 2 now.
    old, young = ticket(1, minutes_before_end=55), ticket(2, minutes_before_end=10)
    data = FakeEndings([old, young])
    ender(config(after="resume"), data, FakeReplier()).run(ENDED)
    assert data.steps["TICKET#x#1"] == (2, ENDED)
    assert data.steps["TICKET#x#2"] == (1, young.created_at + timedelta(minutes=30))


def test_a_refused_follow_up_is_counted_and_its_ticket_resumes():
    counted = []
    data = FakeEndings([ticket(1), ticket(2)])
    ender(config(after="close"), data, FakeReplier(fail_for={"TICKET#x#1"}), counted=counted).run(ENDED)
    assert counted.count(metric_names.FOLLOW_UPS_FAILED) == 1
    assert data.tickets["TICKET#x#1"].incident_outcome == "resumed" and "TICKET#x#1" in data.steps
    assert data.tickets["TICKET#x#2"].status == TicketStatus.CLOSED


def test_a_crash_after_the_claim_never_posts_twice_the_next_run_resumes_it():
    data = FakeEndings([ticket(1), ticket(2)])
    crashing = FakeReplier(crash_for={"TICKET#x#1"})
    with pytest.raises(KeyboardInterrupt):
        ender(config(after="close"), data, crashing).run(ENDED)
    assert data.wound is None  # unfinished: the next run finishes it
    replier = FakeReplier()
    ender(config(after="close"), data, replier).run(ENDED + timedelta(minutes=1))
    assert [post for post, _ in replier.posted] == ["p2"]  # p1 may have gone out: never again
    assert data.tickets["TICKET#x#1"].incident_outcome == "resumed"
    assert data.wound is not None


def test_overlapping_runs_post_each_follow_up_once():
    data = FakeEndings([ticket(n) for n in range(1, 6)])
    replier = FakeReplier()
    first, second = ender(config(after="close"), data, replier), ender(config(after="close"), data, replier)
    first.run(ENDED)
    data.wound = None  # the second run read the incident before the first marked it
    second.run(ENDED)
    assert sorted(post for post, _ in replier.posted) == [f"p{n}" for n in range(1, 6)]


def test_the_last_status_post_says_fixed_once_when_customers_were_kept_posted():
    posted = [{"at": STARTED, "post_id": "s0", "text": "We're aware..."}]
    poster = FakePoster()
    data = FakeEndings([], status_posts=posted)
    ender(config(), data, FakeReplier(), poster).run(ENDED)
    data.wound = None
    ender(config(), data, FakeReplier(), poster).run(ENDED + timedelta(minutes=1))
    assert len(poster.posts) == 1 and "fixed" in poster.posts[0] and "14:40" in poster.posts[0]
    quiet = FakePoster()
    ender(config(), FakeEndings([]), FakeReplier(), quiet).run(ENDED)
    assert quiet.posts == []  # never posted during it: nothing to close publicly


def test_a_follow_up_waits_for_an_acknowledgement_still_on_its_way():
    data = FakeEndings([ticket(1, ack_state=AckState.DEFERRED), ticket(2)])
    replier = FakeReplier()
    ender(config(after="close"), data, replier).run(ENDED)
    assert [post for post, _ in replier.posted] == ["p2"] and data.wound is None
    data._set("TICKET#x#1", ack_state=AckState.POSTED)  # the deferred acknowledgement went out
    ender(config(after="close"), data, replier).run(ENDED + timedelta(minutes=16))
    assert [post for post, _ in replier.posted] == ["p2", "p1"] and data.wound is not None


def test_follow_ups_beyond_the_posting_limit_wait_for_the_window_and_none_is_lost():
    data = FakeEndings([ticket(n) for n in range(1, 8)])
    replier = FakeReplier(limit=3)
    counted = []
    ender(config(after="close"), data, replier, counted=counted).run(ENDED)
    assert len(replier.posted) == 3 and replier.refused == 1  # one refusal stops this run's tries
    assert data.wound is None and metric_names.FOLLOW_UPS_FAILED not in counted
    replier.limit = None  # the window reset
    ender(config(after="close"), data, replier).run(ENDED + timedelta(minutes=15))
    assert sorted(post for post, _ in replier.posted) == sorted(f"p{n}" for n in range(1, 8))
    assert all(t.status == TicketStatus.CLOSED for t in data.tickets.values()) and data.wound
