"""The claim page's service, on fakes: what a link shows and does, and what it refuses."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from socialcare.domain import claim_links
from socialcare.domain.tickets import Ticket, TicketStatus
from socialcare.services.claiming import ClaimDesk, TicketDetails
from socialcare.services.ports import ClaimResult

KEY = b"s" * 32
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORDS = "My order 12345678 never came, call me on +44 7700 900123"


class FakeClaims:
    def __init__(self, *tickets: Ticket):
        self.tickets = {t.pk: t for t in tickets}

    def get(self, pk):
        return self.tickets.get(pk)

    def claim(self, pk, by, at):
        ticket = self.tickets.get(pk)
        if ticket is None:
            return ClaimResult(False, None)
        if ticket.status == TicketStatus.OPEN and ticket.claimed_by is None:
            ticket = self.tickets[pk] = replace(ticket, claimed_by=by, claimed_at=at, next_level=None)
            return ClaimResult(True, ticket, new=True)
        return ClaimResult(ticket.claimed_by == by, ticket)


class FakeIncidents:
    def __init__(self):
        self.items = {"INC1": {"status": "open", "mentions": 150, "top_terms": ["down", "site"]}}
        self.resolved: list[tuple[str, str]] = []

    def resolve(self, incident_id, by, at):
        item = self.items.get(incident_id)
        if item is None or item["status"] != "open":
            return False
        item.update(status="resolved", resolved_by=by)
        self.resolved.append((incident_id, by))
        return True

    def incident(self, incident_id):
        return self.items.get(incident_id)


def _ticket(pk="TICKET#1", **changes) -> Ticket:
    base = Ticket(
        pk=pk,
        ticket_id=pk.split("#")[-1],
        ref="T-1",
        channel="x",
        account_id="a",
        post_id="p1",
        post_ids=("p1",),
        author_id="u1",
        author_handle="ana",
        text=WORDS,
        conversation_id="p1",
        created_at=NOW - timedelta(minutes=20),
        due_at=NOW + timedelta(minutes=40),
        status=TicketStatus.OPEN,
        next_level=2,
    )
    return replace(base, **changes)


def _desk(claims=None, incidents=None, keys=(KEY,)) -> ClaimDesk:
    details = TicketDetails(
        channel_name=lambda t: "Net",
        post_url=lambda t: "https://example.com/p/1",
        time_left=lambda t, now: "40 min left",
    )
    return ClaimDesk(lambda: keys, claims or FakeClaims(_ticket()), details, incidents)


def _link(subject="TICKET#1", purpose=claim_links.TICKET, who="Ana", key=KEY, now=NOW) -> str:
    return claim_links.sign(key, purpose, subject, who, now)


def test_the_page_shows_the_ticket_with_the_customers_words_redacted():
    page = _desk().handle("GET", _link(), None, False, NOW)
    assert page.status == 200 and "T-1" in page.html and "@ana" in page.html
    assert "7700 900123" not in page.html and "12345678" not in page.html
    assert "Show the full text" in page.html and "Claim this ticket" in page.html


def test_the_full_text_shows_when_the_viewer_asks():
    page = _desk().handle("GET", _link(), None, True, NOW)
    assert "+44 7700 900123" in page.html and "Show the full text" not in page.html


def test_claiming_records_who_and_stops_the_ladder_and_repeating_it_changes_nothing():
    claims = FakeClaims(_ticket())
    desk = _desk(claims)
    first = desk.handle("POST", _link(), "claim", False, NOW)
    assert first.outcome == "claimed" and "claimed by Ana" in first.html
    assert "Claim this ticket" not in first.html
    again = desk.handle("POST", _link(), "claim", False, NOW + timedelta(minutes=1))
    assert again.outcome == "already_yours" and "You have claimed this ticket" in again.html
    assert claims.tickets["TICKET#1"].claimed_at == NOW  # the first click's time is kept


def test_a_ticket_claimed_by_someone_else_says_who_has_it():
    claims = FakeClaims(_ticket(claimed_by="Ben", claimed_at=NOW))
    page = _desk(claims).handle("POST", _link(), "claim", False, NOW)
    assert page.outcome == "already_claimed" and "Ben has already claimed" in page.html
    assert claims.tickets["TICKET#1"].claimed_by == "Ben"


def test_an_answered_ticket_says_so_and_cannot_be_claimed():
    page = _desk(FakeClaims(_ticket(status=TicketStatus.ANSWERED))).handle(
        "POST", _link(), "claim", False, NOW
    )
    assert page.outcome == "answered" and "answered already" in page.html


def test_forged_expired_and_other_purpose_links_are_refused_without_leaking_anything():
    desk = _desk()
    forged = _link(key=b"wrong" * 8)
    expired = _link(now=NOW - timedelta(hours=25))
    for token in (forged, expired, "garbage", ""):
        page = desk.handle("POST", token, "claim", False, NOW)
        assert page.status == 403 and page.outcome == "refused"
        assert "T-1" not in page.html and "ana" not in page.html


def test_an_incident_link_resolves_the_incident_once():
    incidents = FakeIncidents()
    desk = _desk(incidents=incidents)
    token = _link(subject="INC1", purpose=claim_links.INCIDENT, who="Cleo")
    shown = desk.handle("GET", token, None, False, NOW)
    assert "Resolve this incident" in shown.html and "down, site" in shown.html
    done = desk.handle("POST", token, "resolve", False, NOW)
    assert done.outcome == "resolved" and "resolved by Cleo" in done.html
    assert desk.handle("POST", token, "resolve", False, NOW).outcome == "already_resolved"
    assert incidents.resolved == [("INC1", "Cleo")]


def test_an_incident_link_cannot_claim_a_ticket_of_the_same_name():
    claims = FakeClaims(_ticket(pk="INC1"))
    token = _link(subject="INC1", purpose=claim_links.INCIDENT)
    desk = _desk(claims, incidents=FakeIncidents())
    desk.handle("POST", token, "claim", False, NOW)
    assert claims.tickets["INC1"].claimed_by is None
