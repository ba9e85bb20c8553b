"""Incidents through the real handlers: while an incident is open, a new mention whose words share
its terms is linked to it, gets the incident's status update instead of a promise, and never enters
the per-ticket ladder; other mentions go on as before. Every stored mention is counted per minute."""

from datetime import timedelta

from socialcare.config.incidents import DEFAULT_REPLY
from socialcare.domain.incidents import epoch_minute
from socialcare.domain.reference import ticket_reference
from socialcare.persistence.incidents import IncidentStore
from socialcare.services.incidents import Incident

from .conftest import T0, at


def open_incident(stack) -> str:
    store = IncidentStore()
    incident = Incident("inc-outage", "x#9001", T0, 40, 3.0, 3, ["down", "site"], ["site down?"])
    assert store.create(incident)
    return incident.incident_id


def test_a_mention_of_an_open_incident_gets_its_status_update_and_no_ladder(stack):
    incident_id = open_incident(stack)
    stack.mention("2001", "51", "@AcmeCare is the site down??", at=at(0.1), handle="user51")
    stack.mention("2002", "52", "@AcmeCare my order never came", at=at(0.2), handle="user52")
    stack.minute()
    linked, other = stack.ticket("2001"), stack.ticket("2002")
    assert linked["incident_id"] == incident_id and linked["ack_kind"] == "incident"
    replies = {
        text.format(brand="AcmeCare", ref=ticket_reference(linked["ticket_id"])) for text in DEFAULT_REPLY
    }
    assert linked["ack_text"] in replies  # its reference (no two replies alike), no response time
    assert other["incident_id"] is None and other["ack_kind"] == "acknowledgement"
    stack.run_until(T0 + timedelta(hours=2))
    linked, other = stack.ticket("2001"), stack.ticket("2002")
    assert linked["escalations"] == []  # the incident's own ladder alerts, not each ticket's
    assert other["escalations"]


def test_every_stored_mention_is_counted_once_per_minute(stack):
    stack.mention("2001", "51", "@AcmeCare is the site down??", at=at(0.1), handle="user51")
    stack.mention("2002", "51", "@AcmeCare hello??", at=at(0.3), handle="user51")  # joins the ticket
    stack.minute()
    stack.minute()  # read again by the next poll: a duplicate, not counted
    # Counted in the minute the poll stored them (the job reads completed minutes).
    first, last = epoch_minute(at(0)), epoch_minute(at(3))
    store = IncidentStore()
    [(minute, count)] = store.minute_counts("x#9001", first, last).items()
    assert count == 2 and minute > epoch_minute(at(0.3))
    assert store.minute_counts("*", first, last) == {minute: 2}


def test_the_spikes_tickets_opened_before_detection_are_linked_and_their_ladder_stops(stack):
    stack.mention("2001", "51", "@AcmeCare is the site down??", at=at(0.1), handle="user51")
    stack.mention("2002", "52", "@AcmeCare my order never came", at=at(0.2), handle="user52")
    stack.minute()
    assert stack.ticket("2001")["ack_kind"] == "acknowledgement"  # before detection
    store = IncidentStore()
    incident = Incident("inc-outage", "x#9001", T0, 40, 3.0, 3, ["down", "site"], ["site down?"])
    assert store.create(incident)
    assert store.link_spike_tickets(incident, T0) == 1
    stack.run_until(T0 + timedelta(hours=2))
    linked, other = stack.ticket("2001"), stack.ticket("2002")
    assert linked["incident_id"] == "inc-outage" and linked["escalations"] == []
    assert other["incident_id"] is None and other["escalations"]
