"""A 150-mention outage in ten minutes on X (infra/socialcare_local/scenarios/outage.jsonl, with its
policy: status page, status posts, the incident's own ladder, `after: close`) replayed through the
real handlers. Before incidents, this storm drew 150 promises of a personal reply, 274 e-mails and
274 SMS; now: one incident, one alert per way, a status update per customer, two status posts,
one follow-up per customer, and the calm hour's tickets handled as before."""

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from socialcare.domain.reference import ticket_reference
from socialcare_local.replay.runner import ReplayOptions, replay
from socialcare_local.replay.scenario import load_scenario

pytestmark = pytest.mark.e2e
SCENARIOS = Path(__file__).parents[2] / "infra/socialcare_local/scenarios"
OUTAGE_STARTS = datetime.fromisoformat("2026-11-23T14:00:00+00:00")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def outage():
    events = load_scenario(SCENARIOS / "outage.jsonl")
    report = replay(events, ReplayOptions(config_path=SCENARIOS / "outage_policy.yaml"))
    in_outage = [
        tk
        for tk in report["tickets"]
        if OUTAGE_STARTS <= t(tk["created_at"]) < OUTAGE_STARTS + timedelta(minutes=10)
    ]
    assert len(in_outage) == 150
    return report, in_outage


def test_one_incident_opens_within_minutes_and_ends_when_volume_is_back(outage):
    report, _ = outage
    [incident] = report["incidents"]
    assert t(incident["started_at"]) - OUTAGE_STARTS <= timedelta(minutes=4)
    assert incident["resolved_by"] == "detector" and t(incident["resolved_at"]) < OUTAGE_STARTS + timedelta(
        hours=1
    )
    assert {"down", "site"} <= set(incident["top_terms"])


def test_every_outage_ticket_joins_it_and_none_pages_on_its_own(outage):
    report, in_outage = outage
    incident_id = report["incidents"][0]["incident_id"]
    assert {tk["incident_id"] for tk in in_outage} == {incident_id}
    assert all(tk["escalations"] == [] for tk in in_outage)
    assert sum("Incident" in mail["subject"] for mail in report["emails"]) == 1
    outage_ids = {tk["ticket_id"] for tk in in_outage}
    per_ticket_sms = [
        sms for sms in report["sms"] if any(ticket_reference(i) in sms["text"] for i in outage_ids)
    ]
    assert per_ticket_sms == [] and sum("ncident" in sms["text"] for sms in report["sms"]) == 1


def test_each_customer_gets_one_status_update_then_one_follow_up(outage):
    report, in_outage = outage
    kinds = Counter(tk["ack_kind"] for tk in in_outage)
    assert kinds["incident"] >= 100 and kinds["incident"] + kinds["acknowledgement"] == 150
    for tk in in_outage:
        ref = ticket_reference(tk["ticket_id"])
        assert tk["acknowledged_at"] and ref in tk["ack_text"]
        if tk["ack_kind"] == "incident":
            assert "status.acme.example" in tk["ack_text"] and "within" not in tk["ack_text"]
        assert tk["status"] == "closed" and ref in tk["follow_up_text"] and "fixed" in tk["follow_up_text"]
        assert t(tk["follow_up_at"]) >= t(tk["acknowledged_at"])
    assert report["summary"]["posts_with_more_than_one_acknowledgement"] == 0
    assert report["summary"]["closed_by_incident_follow_up"] == 150


def test_customers_are_kept_posted_on_the_timeline_and_told_when_it_is_fixed(outage):
    report, _ = outage
    posts = report["incidents"][0]["status_posts"]
    assert len(posts) == 2 == report["summary"]["status_posts"]
    assert all(post["post_id"] for post in posts) and len({post["text"] for post in posts}) == 2
    assert "fixed" in posts[-1]["text"]


def test_the_calm_hours_tickets_are_handled_as_before(outage):
    report, in_outage = outage
    others = [tk for tk in report["tickets"] if tk not in in_outage]
    assert others and all(tk["incident_id"] is None and tk["ack_kind"] == "acknowledgement" for tk in others)
    assert all(tk["escalations"] for tk in others)  # nobody answers in this scenario: they escalate
