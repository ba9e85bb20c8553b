"""Claim from the alert, through the real handlers: an alert's link opens the claim page on the
claim function's (local) URL, claiming stops the ladder and is recorded, and a forged, expired or
other ticket's link is refused."""

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from socialcare.domain import claim_links

from .conftest import at

LINK = re.compile(r"Take it \(stops further alerts\): (\S+)")


def unanswered(stack, post_id="1001", author="42", minute=0.1):
    stack.mention(
        post_id, author, "@AcmeCare my order never came, call +44 7700 900456", at=at(minute), handle="jane"
    )


def _open(url: str, form: dict | None = None) -> tuple[int, Any, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def _link(url: str) -> claim_links.ClaimLink:
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["t"][0]
    return claim_links.peek(token)  # what it says, unverified: the page checks it


def _recipient(url: str) -> str:
    return _link(url).recipient


def _subject(url: str) -> str:
    return _link(url).subject


def _first_link(stack) -> str:
    return LINK.search(stack.emails()[0]["text"]).group(1)


def _claim(url: str) -> tuple[int, Any, str]:
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["t"][0]
    return _open(url.split("?")[0], {"t": token, "action": "claim"})


def test_an_alerts_link_opens_the_page_and_claiming_stops_the_later_levels(stack):
    unanswered(stack)
    stack.run_until(at(32))  # level 1: the e-mail to the care team, with its link
    url = _first_link(stack)
    status, headers, page = _open(url)
    assert status == 200 and "@jane" in page and "open, nobody has claimed it" in page
    assert "900456" not in page  # redacted until the viewer asks
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert "+44 7700 900456" in _open(url + "&full=1")[2]

    status, _, page = _claim(url)
    recipient = _recipient(url)
    assert status == 200 and f"claimed by {recipient}" in page
    stack.run_until(at(120))
    assert len(stack.emails()) == 1 and stack.sms() == []  # levels 2 and 3 never fired
    ticket = stack.ticket("1001")  # as the replay report reads it
    assert ticket["claimed_by"] == recipient and ticket["claimed_at"] == "2026-11-23T14:32:00Z"


def test_a_repeated_claim_changes_nothing(stack):
    unanswered(stack)
    stack.run_until(at(32))
    url = _first_link(stack)
    _claim(url)
    first = stack.ticket("1001")["claimed_at"]
    stack.clock.set(at(40))
    status, _, page = _claim(url)
    assert status == 200 and "You have claimed this ticket" in page
    assert stack.ticket("1001")["claimed_at"] == first


def test_forged_expired_and_other_ticket_links_are_refused(stack):
    unanswered(stack, "1001", "42")
    unanswered(stack, "1002", "43", minute=3)  # alerted in a later sweep: not in the same digest
    stack.run_until(at(32))
    url = _first_link(stack)
    base, token = url.split("?")[0], urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["t"][0]
    payload, mac = token.split(".")
    forged_payload = claim_links.sign(b"not the key", "ticket", _subject(url), "Mallory", at(32)).split(".")[
        0
    ]
    for bad in (f"{forged_payload}.{mac}", payload + "." + mac[:-2] + "AA", "nonsense"):
        status, _, page = _open(base, {"t": bad, "action": "claim"})
        assert status == 403 and "This link cannot be used" in page and "jane" not in page
    stack.clock.set(at(32) + timedelta(hours=24, minutes=1))
    assert _claim(url)[0] == 403
    assert all(stack.ticket(post).get("claimed_by") is None for post in ("1001", "1002"))
