"""The incidents job on in-memory ports: a calm morning opens nothing; an outage opens one incident,
alerts on-call once per ladder level, posts status updates at most once each, and ends; overlapping
runs and a crash between a status post's intent and its record never post twice."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.domain.incidents import SpikeState, epoch_minute
from socialcare.runtime import metric_names
from socialcare.services.incidents import IncidentService

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
OUTAGE_AT = START + timedelta(hours=3)


def config(**incidents):
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data["incidents"] = {
        "ladder": [
            {"after_minutes": 0, "email": ["care_team"], "sms": ["on_call"]},
            {"after_minutes": 30, "sms": ["manager"]},
        ],
        "status_posts": {"enabled": True, "interval_minutes": 15},
        **incidents,
    }
    return parse_config(yaml.safe_dump(data), "test.yaml")


class FakeData:
    def __init__(self):
        self.counts: dict[tuple[str, int], int] = {}
        self.texts: dict[tuple[str, int], list[str]] = {}
        self.states: dict[str, tuple[dict, int]] = {}
        self.incidents = {}
        self.levels: set[tuple[str, int]] = set()
        self.ended = []

    def mention(self, key, moment, text):
        for each in (key, "*"):
            minute = (each, epoch_minute(moment))
            self.counts[minute] = self.counts.get(minute, 0) + 1
            self.texts.setdefault(minute, []).append(text)

    def minute_counts_many(self, ranges):
        return {key: self.minute_counts(key, *minutes) for key, minutes in ranges.items()}

    def load_states(self, keys):
        return {key: self.load_state(key) for key in keys}

    def minute_counts(self, key, first, last):
        return {m: self.counts.get((key, m), 0) for m in range(first, last + 1)}

    def minute_texts(self, key, first, last):
        return [t for m in range(first, last + 1) for t in self.texts.get((key, m), [])]

    def load_state(self, key):
        saved, version = self.states.get(key, (None, 0))
        return (SpikeState.from_dict(saved) if saved else SpikeState()), version

    def save_state(self, key, state, version):
        if self.states.get(key, (None, 0))[1] != version:
            return False
        self.states[key] = (state.to_dict(), version + 1)
        return True

    def create(self, incident):
        if incident.incident_id in self.incidents:
            return False
        self.incidents[incident.incident_id] = incident
        return True

    def link_spike_tickets(self, incident, since):
        self.linked_since = since
        return 0

    def open_incidents(self):
        return [copy.deepcopy(i) for i in self.incidents.values() if i.status == "open"]

    def claim_level(self, incident_id, level):
        incident = self.incidents[incident_id]
        if incident.alerted_level >= level:
            return False
        incident.alerted_level = level
        return True

    def claim_status_post(self, incident_id, at, text, not_before):
        posts = self.incidents[incident_id].status_posts
        if (posts[-1]["at"] if posts else None) != not_before:
            return False
        posts.append({"at": at, "post_id": None, "text": text})
        return True

    def record_status_post(self, incident_id, at, post_id):
        for post in self.incidents[incident_id].status_posts:
            if post["at"] == at:
                post["post_id"] = post_id

    def resolve(self, incident_id, by, at):
        incident = self.incidents[incident_id]
        if incident.status != "open":
            return False
        incident.status, incident.resolved_by, incident.resolved_at = "resolved", by, at
        self.ended.append(incident)
        return True


class FakeAlerting:
    def __init__(self):
        self.emails, self.sms_sent = [], []

    def email(self, to, message, key):
        self.emails.append((to, message, key))

    def sms(self, to, text, key):
        self.sms_sent.append((to, text, key))


class FakePoster:
    def __init__(self, fail=False):
        self.posts, self.fail = [], fail

    def can_post_status(self, account):
        return True

    def post_status(self, account, text):
        if self.fail:
            raise RuntimeError("refused")
        self.posts.append(text)
        return f"status-{len(self.posts)}"


@pytest.fixture
def world():
    cfg = config()
    data, alerting, poster, counted = FakeData(), FakeAlerting(), FakePoster(), []
    ended = data.ended
    service = IncidentService(cfg, data, alerting, poster, lambda name, n: counted.append(name))
    key = cfg.accounts[0].key
    return cfg, data, alerting, poster, counted, ended, service, key


def calm(data, key, until):
    moment = START
    while moment < until:
        data.mention(key, moment, "where is my parcel?")
        moment += timedelta(minutes=1)


def run_each_minute(service, first, last):
    opened = []
    moment = first
    while moment <= last:
        opened += service.run(moment)
        moment += timedelta(minutes=1)
    return opened


def outage(data, key, minutes=10, per_minute=15):
    for minute in range(minutes):
        for n in range(per_minute):
            text = ["Is the site down?", "site down again??", "website down, can't pay"][n % 3]
            data.mention(key, OUTAGE_AT + timedelta(minutes=minute, seconds=n), text)


def test_a_calm_morning_opens_no_incident(world):
    _, data, alerting, poster, _, _, service, key = world
    calm(data, key, OUTAGE_AT + timedelta(minutes=30))
    assert run_each_minute(service, START, OUTAGE_AT + timedelta(minutes=30)) == []
    assert alerting.emails == alerting.sms_sent == poster.posts == []


def test_an_outage_opens_one_incident_alerts_once_posts_status_and_ends(world):
    _, data, alerting, poster, counted, ended, service, key = world
    calm(data, key, OUTAGE_AT)
    outage(data, key)
    opened = run_each_minute(service, START, OUTAGE_AT + timedelta(minutes=60))
    assert len(opened) == 1  # the brand-wide count is explained by the account's incident
    incident = data.incidents[opened[0].incident_id]
    assert incident.account == key
    assert incident.started_at - OUTAGE_AT <= timedelta(minutes=4)
    assert incident.top_terms[:2] == ["down", "site"]
    assert counted.count(metric_names.INCIDENTS_OPENED) == 1
    assert [to for to, _, _ in alerting.emails] == ["care-team@acme.example"]
    assert [to for to, _, _ in alerting.sms_sent] == ["+14155550123"]  # ended before the 30-minute level
    assert "mentions in" in alerting.sms_sent[0][1] and "down" in alerting.sms_sent[0][1]
    assert incident.status == "resolved" and incident.resolved_by == "detector"
    assert [each.incident_id for each in ended] == [incident.incident_id]
    assert 1 <= len(poster.posts) == len(incident.status_posts) <= 3
    assert all(post["post_id"] for post in incident.status_posts)
    assert len(set(poster.posts)) == len(poster.posts)  # a repeat is never the same text (refused)


def test_an_incident_still_open_goes_up_its_own_ladder(world):
    _, data, alerting, _, _, _, service, key = world
    calm(data, key, OUTAGE_AT)
    outage(data, key, minutes=45)
    run_each_minute(service, START, OUTAGE_AT + timedelta(minutes=40))
    assert [to for to, _, _ in alerting.sms_sent] == ["+14155550123", "+14155550199"]


def test_overlapping_runs_open_and_alert_once(world):
    _, data, alerting, poster, _, _, service, key = world
    calm(data, key, OUTAGE_AT)
    outage(data, key)
    moment = START
    while moment <= OUTAGE_AT + timedelta(minutes=20):
        service.run(moment)
        service.run(moment)  # a retried or overlapping invocation of the same minute
        moment += timedelta(minutes=1)
    assert len(data.incidents) == 1
    assert len(alerting.sms_sent) == 1 and len(alerting.emails) == 1
    posts = next(iter(data.incidents.values())).status_posts
    assert len(poster.posts) == len(posts)


def test_a_crash_between_a_status_posts_intent_and_its_record_never_posts_twice(world):
    cfg, data, _, _, _, _, _, key = world
    calm(data, key, OUTAGE_AT)
    outage(data, key, minutes=5)
    crashing = FakePoster(fail=True)
    counted = []
    service = IncidentService(cfg, data, FakeAlerting(), crashing, lambda name, n: counted.append(name))
    run_each_minute(service, START, OUTAGE_AT + timedelta(minutes=10))
    incident = next(iter(data.incidents.values()))
    assert incident.status_posts and incident.status_posts[0]["post_id"] is None
    assert counted.count(metric_names.STATUS_POSTS_FAILED) == len(incident.status_posts) == 1


def test_staff_resolve_once(world):
    _, data, _, _, _, ended, service, key = world
    calm(data, key, OUTAGE_AT)
    outage(data, key, minutes=30)
    opened = run_each_minute(service, START, OUTAGE_AT + timedelta(minutes=8))
    at = OUTAGE_AT + timedelta(minutes=9)
    assert service.resolve(opened[0], "jane", at)
    assert not service.resolve(opened[0], "sam", at)
    assert data.incidents[opened[0].incident_id].resolved_by == "jane" and len(ended) == 1


def test_a_failing_account_does_not_stop_the_job(world):
    cfg, data, alerting, poster, counted, _, _, key = world

    class Broken(FakeData):
        def load_state(self, key):
            raise RuntimeError("throttled")

    service = IncidentService(cfg, Broken(), alerting, poster, lambda name, n: counted.append(name))
    service.run(OUTAGE_AT)
    assert metric_names.INCIDENT_JOB_FAILURES in counted


def test_quiet_minutes_are_saved_now_and_then_to_the_same_state(world, monkeypatch):
    """A deployment nobody mentions writes nothing most minutes (its local clock may then jump):
    the quiet minutes are fed again from the last saved state, to the same result."""
    cfg, data, alerting, poster, _, _, service, key = world
    calm(data, key, OUTAGE_AT)
    saves = []
    real_save = data.save_state
    data.save_state = lambda k, state, version: saves.append(k) or real_save(k, state, version)
    quiet_from = OUTAGE_AT + timedelta(minutes=5)
    run_each_minute(service, START, quiet_from)
    saves.clear()
    run_each_minute(service, quiet_from + timedelta(minutes=1), quiet_from + timedelta(hours=3))
    assert len(saves) <= 4  # once an hour, not 180 times

    monkeypatch.setattr("socialcare.services.incidents.SAVE_AFTER_MINUTES", 0)  # save every run
    service.run(quiet_from + timedelta(hours=3))  # the same minute again: feeds what is unsaved, saves
    every_minute = FakeData()
    calm(every_minute, key, OUTAGE_AT)
    eager = IncidentService(cfg, every_minute, FakeAlerting(), FakePoster(), lambda name, n: None)
    run_each_minute(eager, START, quiet_from + timedelta(hours=3))
    assert every_minute.states[key][0] == data.states[key][0]


def test_busy_minutes_cost_a_write_only_every_hour_and_detect_the_same(world, monkeypatch):
    """A mention a minute does not make the job write every minute (requests per mention): the
    minutes since the last save are fed again each run, to the same state and the same incident."""
    cfg, data, alerting, poster, _, _, service, key = world
    calm(data, key, OUTAGE_AT)
    outage(data, key)
    saves = []
    real_save = data.save_state
    data.save_state = lambda k, state, version: saves.append(k) or real_save(k, state, version)
    calm_hours = (START + timedelta(minutes=20), START + timedelta(minutes=139))
    run_each_minute(service, START, calm_hours[0] - timedelta(minutes=1))
    saves.clear()
    run_each_minute(service, *calm_hours)
    assert 1 <= len(saves) <= 2  # once an hour, not 120 times
    opened = run_each_minute(service, calm_hours[1] + timedelta(minutes=1), OUTAGE_AT + timedelta(minutes=90))

    monkeypatch.setattr("socialcare.services.incidents.SAVE_AFTER_MINUTES", 0)  # save every run
    every_minute = FakeData()
    calm(every_minute, key, OUTAGE_AT)
    outage(every_minute, key)
    eager = IncidentService(cfg, every_minute, FakeAlerting(), FakePoster(), lambda name, n: None)
    eagerly_opened = run_each_minute(eager, START, OUTAGE_AT + timedelta(minutes=90))
    assert [(i.incident_id, i.started_at, i.mentions) for i in opened] == [
        (i.incident_id, i.started_at, i.mentions) for i in eagerly_opened
    ]
    assert len(opened) == 1
    assert [i.resolved_at for i in data.ended] == [i.resolved_at for i in every_minute.ended]
    service.run(OUTAGE_AT + timedelta(minutes=90))  # the same minute again, saving: the same state
    assert same_state(every_minute.states[key][0], data.states[key][0])


def same_state(one: dict, other: dict) -> bool:
    """Equal up to the saved form's rounding (six decimals), which a state fed again from an
    older save meets at different minutes."""
    if one.keys() != other.keys():
        return False
    for name, value in one.items():
        values = value if isinstance(value, list) else [value]
        others = other[name] if isinstance(other[name], list) else [other[name]]
        if len(values) != len(others) or values != pytest.approx(others, abs=1e-5):
            return False
    return True
