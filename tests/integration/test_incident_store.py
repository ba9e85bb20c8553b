"""Incidents on the deployed tickets table: each stored mention counted once, per account and
brand-wide, by its claim (no write of its own); the detector's state saved only by the run that read
it; an incident created once, its ladder levels and status posts claimed once, and resolved once (by
the detector or staff)."""

from datetime import timedelta

from socialcare.domain.business_hours import ResponsePolicy
from socialcare.domain.incidents import SpikeState, epoch_minute
from socialcare.domain.ladder import Ladder
from socialcare.domain.posts import Post
from socialcare.domain.tickets import Stored
from socialcare.persistence import active_incidents as active
from socialcare.persistence.incidents import TEXTS_KEPT, IncidentStore
from socialcare.persistence.models import ACTIVE_INCIDENTS_KEY, ActiveIncidentsModel
from socialcare.persistence.tickets import NewTicketPolicy, TicketStore
from socialcare.services.incidents import Incident

from .conftest import T0


def incident(incident_id="inc-1") -> Incident:
    return Incident(incident_id, "x#9001", T0, 40, 3.0, 3, ["down", "site"], ["site down?"])


def store_mention(account: str, post_id: str, text: str, stored_at, author: str | None = None) -> Stored:
    policy = NewTicketPolicy(
        account.split("#")[1],
        ResponsePolicy.around_the_clock(timedelta(minutes=60)),
        Ladder(levels=()),
        timedelta(days=90),
    )
    post = Post("x", post_id, author or f"a{post_id}", "jane", text, stored_at - timedelta(seconds=30))
    return TicketStore().store_mention(post, policy, stored_at)


def test_stored_mentions_are_counted_once_per_minute_for_the_account_and_the_brand(stack):
    for n in range(TEXTS_KEPT + 5):
        store_mention("x#9001", str(1000 + n), f"site down {n}", T0 + timedelta(seconds=n % 60))
    store_mention("x#9002", "2000", "hello", T0)
    minute = epoch_minute(T0)
    # read again by an overlapping poll: a duplicate, not counted; a follow-up joining a ticket is
    assert store_mention("x#9001", "1000", "site down 0", T0) is Stored.DUPLICATE
    assert store_mention("x#9001", "1100", "still down", T0, author="a1000") is Stored.JOINED
    store = IncidentStore()
    assert store.minute_counts("x#9001", minute - 1, minute + 1) == {minute: TEXTS_KEPT + 6}
    assert store.minute_counts("*", minute, minute) == {minute: TEXTS_KEPT + 7}
    assert store.minute_counts("x#9002", minute + 1, minute + 9) == {}
    texts = store.minute_texts("x#9001", minute, minute)
    assert len(texts) == TEXTS_KEPT and set(texts) <= {f"site down {n}" for n in range(45)} | {"still down"}
    assert store.minute_texts("x#9002", minute, minute) == ["hello"]
    assert len(store.minute_texts("*", minute, minute)) == TEXTS_KEPT  # brand-wide: as many, of all


def test_a_long_text_is_kept_to_its_start_on_the_claim(stack):
    store_mention("x#9001", "1000", "down " * 200, T0)
    minute = epoch_minute(T0)
    (text,) = IncidentStore().minute_texts("x#9001", minute, minute)
    assert text == ("down " * 200)[:280]


def test_the_detector_state_is_saved_only_on_the_version_read(stack):
    store = IncidentStore()
    state, version = store.load_state("x#9001")
    assert version == 0
    state.last_minute = 42
    assert store.save_state("x#9001", state, version)
    assert not store.save_state("x#9001", SpikeState(), version)  # an overlapping run lost the race
    again, version = store.load_state("x#9001")
    assert (again.last_minute, version) == (42, 1)


def test_an_incident_is_created_alerted_posted_and_resolved_once(stack):
    store = IncidentStore()
    assert store.create(incident()) and not store.create(incident())
    assert [each.incident_id for each in store.open_incidents()] == ["inc-1"]
    assert store.claim_level("inc-1", 1) and not store.claim_level("inc-1", 1)
    assert store.claim_status_post("inc-1", T0, "We're on it", None)
    assert not store.claim_status_post("inc-1", T0, "We're on it", None)  # the second run
    store.record_status_post("inc-1", T0, "post-1")
    later = T0 + timedelta(minutes=30)
    assert not store.claim_status_post("inc-1", later, "Still on it", T0 - timedelta(minutes=1))
    assert store.claim_status_post("inc-1", later, "Still on it", T0)
    (found,) = store.open_incidents()
    assert [(p["post_id"], p["text"]) for p in found.status_posts] == [
        ("post-1", "We're on it"),
        (None, "Still on it"),
    ]
    assert store.resolve("inc-1", "jane", later) and not store.resolve("inc-1", "detector", later)
    assert store.open_incidents() == []
    assert store.incident("inc-1")["resolved_by"] == "jane"
    assert store.incident("nope") is None


def test_a_run_reads_every_keys_state_in_a_batch_and_all_minutes_in_one_query(stack):
    store = IncidentStore()
    state, version = store.load_state("x#9001")
    state.last_minute = 7
    assert store.save_state("x#9001", state, version)
    states = store.load_states(["x#9001", "x#9002", "*"])
    assert states["x#9001"][0].last_minute == 7 and states["x#9001"][1] == 1
    assert states["x#9002"][1] == states["*"][1] == 0  # none saved yet
    for n in range(3):  # minutes 0, 50, 100
        store_mention("x#9001", str(1000 + n), "down", T0 + timedelta(minutes=n * 50))
    first = epoch_minute(T0)
    ranges = {"x#9001": (first, first + 120), "x#9002": (first, first + 5), "*": (first + 40, first + 60)}
    counts = store.minute_counts_many(ranges)
    assert counts == {"x#9001": {first: 1, first + 50: 1, first + 100: 1}, "x#9002": {}, "*": {first + 50: 1}}


def test_the_active_summary_follows_an_incident_from_open_to_wound_up(stack):
    from socialcare.persistence.incident_endings import IncidentEndings

    store, endings = IncidentStore(), IncidentEndings()
    assert store.create(incident("inc-1")) and store.create(incident("inc-2"))
    assert [(e.incident_id, e.status) for e in active.read()[0]] == [("inc-1", "open"), ("inc-2", "open")]
    assert store.resolve("inc-1", "jane", T0)
    assert [i.incident_id for i in store.open_incidents()] == ["inc-2"]
    assert [i.incident_id for i in endings.ended_incidents()] == ["inc-1"]
    assert endings.wound_up("inc-1", T0) and not endings.wound_up("inc-1", T0)
    assert endings.ended_incidents() == []
    assert [(e.incident_id, e.status) for e in active.read()[0]] == [("inc-2", "open")]
    assert store.incident("inc-1")["status"] == "resolved"  # the incident itself stays


def test_two_changes_at_once_keep_both_entries(stack, monkeypatch):
    """A run that read the summary before another run's change writes nothing and reads again."""
    store = IncidentStore()
    stale = active.read()  # before inc-1
    assert store.create(incident("inc-1"))
    reads = iter([stale])
    real_read = active.read
    monkeypatch.setattr(active, "read", lambda: next(reads, None) or real_read())
    assert store.create(incident("inc-2"))
    assert {e.incident_id for e in real_read()[0]} == {"inc-1", "inc-2"}


def test_a_deployment_from_before_the_summary_finds_its_open_incident(stack):
    store = IncidentStore()
    assert store.create(incident("inc-1"))
    ActiveIncidentsModel(*ACTIVE_INCIDENTS_KEY).delete()  # as if created by the previous version
    assert [i.incident_id for i in store.open_incidents()] == ["inc-1"]
    assert store.resolve("inc-1", "detector", T0)  # and the first change writes the summary
    assert [(e.incident_id, e.status) for e in active.read()[0]] == [("inc-1", "resolved")]
