"""The end of an incident through the real handlers: resolved (here as the claim page does), the
incidents job closes its publicly answered tickets with one follow-up reply each, or puts them back
on their own ladders, and posts the last status update; nothing is posted twice afterwards."""

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import yaml

from socialcare.domain.reference import ticket_reference
from socialcare.persistence.incidents import IncidentStore
from socialcare.services.incidents import Incident
from socialcare_local.replay import world

from .conftest import BRAND, T0, at

INCIDENT_ID = "inc-outage"


def config(**incidents) -> str:
    data = yaml.safe_load(world.config_text([BRAND], None))
    data["incidents"] = incidents
    return yaml.safe_dump(data)


def outage_with_three_customers(stack) -> None:
    incident = Incident(INCIDENT_ID, "x#9001", T0, 40, 3.0, 3, ["down", "site"], ["site down?"])
    assert IncidentStore().create(incident)
    stack.mention("2001", "51", "@AcmeCare is the site down??", at=at(0.1), handle="user51")
    stack.mention(
        "2002", "52", "@AcmeCare site down for me too, card 4111 1111 1111 1111", at=at(0.2), handle="user52"
    )
    stack.mention("2003", "53", "@AcmeCare my order never came", at=at(0.3), handle="user53")
    stack.minute()
    stack.minute()
    assert [stack.ticket(p)["incident_id"] for p in ("2001", "2002", "2003")] == [INCIDENT_ID] * 2 + [None]


def test_close_answers_each_incident_ticket_once_more_and_closes_it(make_stack):
    stack = make_stack(config_text=config(after="close", status_posts={"enabled": True}))
    outage_with_three_customers(stack)
    assert IncidentStore().resolve(INCIDENT_ID, "jane", stack.clock.now())
    stack.run_until(T0 + timedelta(hours=2))
    for post_id in ("2001", "2002"):
        ticket = stack.ticket(post_id)
        replies = [reply["text"] for reply in stack.replies_to(post_id)]
        assert len(replies) == 2, replies  # the status update, then the follow-up: never more
        assert (
            "fixed" in replies[1]
            and ticket_reference(ticket["ticket_id"]) in replies[1]
            and "4111" not in replies[1]
        )
        assert ticket["status"] == "closed" and ticket["escalations"] == []
    other = stack.ticket("2003")
    assert other["status"] == "open" and other["escalations"]  # not the incident's: its own ladder
    status_posts = IncidentStore().incident(INCIDENT_ID)["status_posts"]
    assert len(status_posts) == 2 and "fixed" in status_posts[-1]["text"]
    assert all(post["post_id"] for post in status_posts)


def test_resume_puts_the_incident_tickets_back_on_their_own_ladders(make_stack):
    stack = make_stack(config_text=config(after="resume"))
    outage_with_three_customers(stack)
    stack.run_until(at(20))
    assert stack.ticket("2001")["escalations"] == []  # the incident's own ladder, not the ticket's
    assert IncidentStore().resolve(INCIDENT_ID, "detector", stack.clock.now())
    stack.run_until(T0 + timedelta(hours=2))
    for post_id in ("2001", "2002"):
        ticket = stack.ticket(post_id)
        assert ticket["status"] == "open" and len(stack.replies_to(post_id)) == 1
        sent = [(e["level"], e["via"], e["to"]) for e in ticket["escalations"]]
        assert {level for level, _, _ in sent} == {1, 2, 3} and len(set(sent)) == len(sent)  # each once


RESOLVE_LINK = re.compile(r"Resolve it: (\S+)")


def _post_form(url: str, form: dict) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_on_call_resolves_from_the_alerts_link_and_the_tickets_close(make_stack):
    stack = make_stack(config_text=config(after="close"))
    outage_with_three_customers(stack)
    alert = next(e for e in stack.emails() if RESOLVE_LINK.search(e["text"]))  # the incident's, at once
    link = RESOLVE_LINK.search(alert["text"]).group(1)
    base, query = link.split("?", 1)
    token = urllib.parse.parse_qs(query)["t"][0]
    assert _post_form(base, {"t": token, "action": "resolve"}) == 200
    incident = IncidentStore().incident(INCIDENT_ID)
    assert incident["status"] == "resolved" and incident["resolved_by"] == "care_team"
    stack.minute()
    assert [stack.ticket(p)["status"] for p in ("2001", "2002", "2003")] == ["closed", "closed", "open"]
    assert _post_form(base, {"t": token, "action": "resolve"}) == 200  # a repeat changes nothing
    stack.run_until(at(30))
    assert len(stack.replies_to("2001")) == 2
