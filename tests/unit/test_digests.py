"""Digests: several tickets' alerts for one recipient as one e-mail and one SMS, the SMS within its
segments, the most pressing tickets first, and the SMS budget's note never cut."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare.domain.alerts import SMS_MAX_SEGMENTS, AlertSubject, render_sms, sms_segments
from socialcare.domain.digests import (
    FoldedNote,
    folded_prefix,
    render_digest_email,
    render_digest_sms,
)

POSTED = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NOW = POSTED + timedelta(minutes=52)


def ticket(n: int, **changes) -> AlertSubject:
    base = AlertSubject(
        ref=f"K{n:04d}",
        channel_name="Network",
        author_handle=f"customer{n}",
        text="my order 12345 never came, call me on +44 7700 900123",
        post_url=f"https://example.com/post/{n}",
        created_at=POSTED + timedelta(minutes=n),
        due_at=POSTED + timedelta(minutes=60 + n),
        level=1,
        level_count=3,
        breached=False,
    )
    return replace(base, **changes)


def test_the_email_lists_every_ticket_with_its_link_and_says_how_many_and_how_old():
    tickets = [ticket(n) for n in range(7)]
    email = render_digest_email(tickets, NOW)
    assert email.subject == "[socialcare] 7 tickets need a reply (oldest 52 min)"
    for n in range(7):
        assert f"K{n:04d} Network @customer{n}" in email.text
        assert f"https://example.com/post/{n}" in email.text
        assert f'href="https://example.com/post/{n}"' in email.html


def test_the_email_gives_each_ticket_its_own_claim_link():
    tickets = [ticket(n, claim_url=f"https://claim.example/t/{n}?sig=a b") for n in range(3)]
    email = render_digest_email(tickets, NOW)
    for n in range(3):
        assert f"claim: https://claim.example/t/{n}?sig=a%20b" in email.text
        assert f'<a href="https://claim.example/t/{n}?sig=a%20b">claim</a>' in email.html


def test_urgent_then_breached_then_oldest_come_first():
    tickets = [ticket(1), ticket(2, breached=True), ticket(3, priority="urgent"), ticket(0)]
    text = render_digest_email(tickets, NOW).text
    order = [text.index(ref) for ref in ("K0003", "K0002", "K0000", "K0001")]
    assert order == sorted(order)
    assert "1 URGENT" in render_digest_email(tickets, NOW).subject


def test_the_sms_stays_within_its_segments_and_says_how_many_only_the_email_lists():
    tickets = [ticket(n) for n in range(40)]
    sms = render_digest_sms(tickets, NOW)
    assert sms.startswith("socialcare 40 tickets need a reply (oldest 52 min):")
    assert sms_segments(sms) <= SMS_MAX_SEGMENTS
    shown = sum(f"K{n:04d}" in sms for n in range(40))
    assert 3 <= shown < 40
    assert sms.endswith(f" +{40 - shown} in the e-mail")


def test_the_sms_keeps_personal_data_and_the_customers_words_out():
    sms = render_digest_sms([ticket(1), ticket(2)], NOW)
    assert "7700" not in sms and "order" not in sms
    assert "K0001" in sms and "K0002" in sms and "in the e-mail" not in sms


def test_the_budget_note_comes_first_and_survives_the_cut():
    note = FoldedNote(5, datetime(2026, 11, 23, 14, 10, tzinfo=UTC))
    digest = render_digest_sms([ticket(n) for n in range(40)], NOW, note)
    assert "+5 more since 14:10 by e-mail" in digest and sms_segments(digest) <= SMS_MAX_SEGMENTS
    single = render_sms(ticket(1, text="please " * 100), NOW, folded_prefix(note))
    assert single.startswith("+5 more since 14:10 by e-mail. socialcare K0001")
    assert single.endswith(" https://example.com/post/1"), "the words give way, not the link"
    assert sms_segments(single) <= SMS_MAX_SEGMENTS
    assert folded_prefix(None) == ""


@settings(max_examples=60, deadline=None)
@given(
    handles=st.lists(st.text(min_size=1, max_size=60), min_size=2, max_size=30),
    urgent=st.booleans(),
)
def test_any_handles_fit_the_segments(handles, urgent):
    tickets = [
        ticket(n, author_handle=h, priority="urgent" if urgent and n % 2 else "normal")
        for n, h in enumerate(handles)
    ]
    note = FoldedNote(12, NOW)
    assert sms_segments(render_digest_sms(tickets, NOW, note)) <= SMS_MAX_SEGMENTS
