"""Incidents on the deployed tickets table: minutes counted per account and brand-wide, the
detector's state saved only by the run that read it, an incident created once, its ladder levels
and status posts claimed once, and resolved once (by the detector or staff)."""

from datetime import timedelta

from socialcare.domain.incidents import SpikeState, epoch_minute
from socialcare.persistence.incidents import TEXTS_KEPT, IncidentStore, count_mention
from socialcare.services.incidents import Incident

from .conftest import T0


def incident(incident_id="inc-1") -> Incident:
    return Incident(incident_id, "x#9001", T0, 40, 3.0, 3, ["down", "site"], ["site down?"])


def test_mentions_are_counted_per_minute_for_the_account_and_the_brand(stack):
    for n in range(TEXTS_KEPT + 5):
        count_mention("x#9001", T0 + timedelta(seconds=n % 60), f"site down {n}", T0)
    count_mention("x#9002", T0, "hello", T0)
    minute = epoch_minute(T0)
    store = IncidentStore()
    assert store.minute_counts("x#9001", minute - 1, minute + 1) == {minute: TEXTS_KEPT + 5}
    assert store.minute_counts("*", minute, minute) == {minute: TEXTS_KEPT + 6}
    assert len(store.minute_texts("x#9001", minute, minute)) == TEXTS_KEPT  # bounded item


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


def test_a_run_reads_every_keys_state_and_minutes_in_batches(stack):
    store = IncidentStore()
    state, version = store.load_state("x#9001")
    state.last_minute = 7
    assert store.save_state("x#9001", state, version)
    states = store.load_states(["x#9001", "x#9002", "*"])
    assert states["x#9001"][0].last_minute == 7 and states["x#9001"][1] == 1
    assert states["x#9002"][1] == states["*"][1] == 0  # none saved yet
    for n in range(3):
        count_mention("x#9001", T0, "down", T0 + timedelta(minutes=n * 50))  # minutes 0, 50, 100
    first = epoch_minute(T0)
    ranges = {"x#9001": (first, first + 120), "x#9002": (first, first + 5)}  # 127 keys: two batches
    counts = store.minute_counts_many(ranges)
    assert counts == {"x#9001": {first: 1, first + 50: 1, first + 100: 1}, "x#9002": {}}
