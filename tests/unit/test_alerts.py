import email
import re
from dataclasses import replace as _replace
from datetime import UTC, datetime, timedelta
from email import policy

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare.domain.alerts import (
    SMS_MAX_SEGMENTS,
    SUBJECT_LIMIT,
    AlertSubject,
    HeldBackSummary,
    HeldSection,
    HeldTicket,
    render_email,
    render_held_back_summary,
    render_sms,
    sms_segments,
)
from socialcare.notify.senders import email_bytes

POSTED = datetime(2026, 11, 23, 14, 0, 5, tzinfo=UTC)
SUBJECT = AlertSubject(
    ref="K7Q2X",
    channel_name="X",
    author_handle="jane",
    text="<b>my order</b> never came, call me on +44 7700 900123 " + "please " * 40,
    post_url="https://x.com/jane/status/1001",
    created_at=POSTED,
    due_at=POSTED + timedelta(hours=1),
    level=1,
    level_count=3,
    breached=False,
)
OUR_TAGS = {"p", "strong", "blockquote", "a", "br", "ul", "li"}


def subject(**changes) -> AlertSubject:
    return AlertSubject(**{**SUBJECT.__dict__, **changes})


def delivered(rendered) -> email.message.EmailMessage:
    """The message as SES receives it (7-bit: SES asks for encoded parts) and a mail client parses it."""
    raw = email_bytes("alerts@socialcare.example", ["care-team@acme.example"], rendered)
    assert raw.isascii()
    return email.message_from_bytes(raw, policy=policy.default)


def test_email_tells_staff_who_wrote_what_where_to_reply_and_how_long_is_left():
    rendered = render_email(SUBJECT, POSTED + timedelta(minutes=30))
    assert "K7Q2X" in rendered.subject and "@jane" in rendered.subject and "30 min left" in rendered.subject
    assert "never came" in rendered.text and "https://x.com/jane/status/1001" in rendered.text
    assert "30 min left" in rendered.text


def test_email_html_escapes_the_customers_text():
    rendered = render_email(SUBJECT, POSTED)
    assert "<b>my order</b>" not in rendered.html
    assert "&lt;b&gt;my order&lt;/b&gt;" in rendered.html


def test_sms_has_reference_time_left_link_and_no_personal_data_in_one_segment():
    sms = render_sms(SUBJECT, POSTED + timedelta(minutes=48))
    assert sms_segments(sms) <= SMS_MAX_SEGMENTS
    assert sms.startswith("socialcare K7Q2X X @jane 12 min left")
    assert sms.endswith("https://x.com/jane/status/1001")
    assert "900123" not in sms and "..." in sms


def test_breach_alert_says_so():
    assert "BREACHED" in render_sms(subject(breached=True, level=3), POSTED + timedelta(hours=1))


def test_alerts_say_plainly_when_the_customer_got_no_acknowledgement():
    failed = subject(ack_failed=True, ack_error="X refused the reply: 403 forbidden")
    later = POSTED + timedelta(minutes=30)
    rendered = render_email(failed, later)
    assert "no acknowledgement" in rendered.subject
    assert "The customer got no public acknowledgement (X refused the reply: 403 forbidden)." in rendered.text
    assert "no public acknowledgement" in rendered.html
    assert ", no ack sent:" in render_sms(failed, later)
    assert "acknowledgement" not in render_email(SUBJECT, later).text


def test_sms_segments_are_counted_in_the_alphabet_the_carrier_uses():
    assert [sms_segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2  # extension table: two septets
    assert sms_segments("é" * 160) == 1  # in GSM-7
    assert sms_segments("ж" * 70) == 1 and sms_segments("ж" * 71) == 2  # UCS-2
    assert sms_segments("a" * 69 + "😀") == 2  # one emoji: the whole message is UCS-2, and it counts twice


def test_one_emoji_in_the_text_switches_the_sms_to_ucs2_and_it_still_fits_its_budget():
    sms = render_sms(subject(text="where is my parcel 😡 " * 30), POSTED)
    assert sms_segments(sms) <= SMS_MAX_SEGMENTS and sms.endswith("https://x.com/jane/status/1001")
    assert "😡" in sms and len(sms) <= 67 * SMS_MAX_SEGMENTS


def test_a_handle_with_line_breaks_cannot_add_a_header_and_the_subject_stays_one_line():
    hostile = subject(author_handle="jane\r\nBcc: everyone@evil.example\r\n\r\nfake body")
    rendered = render_email(hostile, POSTED)
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    message = delivered(rendered)
    assert message["Bcc"] is None and message["Subject"] == rendered.subject
    assert "\n" not in render_sms(hostile, POSTED)


def test_a_lone_surrogate_in_the_text_is_replaced_and_the_message_encodes():
    broken = subject(text="my order \ud83d never came \udc00", author_handle="ja\ud800ne")
    message = delivered(render_email(broken, POSTED))
    assert "my order \ufffd never came \ufffd" in message.get_body(("plain",)).get_content()
    sms = render_sms(broken, POSTED)
    sms.encode("utf-16")  # what SNS needs for UCS-2; a lone surrogate would raise here
    assert "\ufffd" in sms


def test_a_bidi_override_in_a_handle_cannot_reorder_the_rest_of_the_subject():
    rendered = render_email(subject(author_handle="jane\u202e\u2066tfel nim 03"), POSTED)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", rendered.subject)


def test_a_link_that_is_not_http_is_left_out_rather_than_made_clickable():
    rendered = render_email(subject(post_url='javascript:alert("x")'), POSTED)
    assert "javascript" not in rendered.html and "javascript" not in rendered.text
    assert "no link could be made" in rendered.text


def test_huge_fields_give_bounded_alerts():
    huge = subject(text="word " * 40_000, author_handle="j" * 100_000, ref="R" * 10_000)
    rendered = render_email(huge, POSTED)
    assert len(rendered.subject) <= SUBJECT_LIMIT and len(rendered.text) < 7_000
    assert sms_segments(render_sms(huge, POSTED)) <= SMS_MAX_SEGMENTS


HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Zs"]),
        st.sampled_from(list("\r\n\t\u202e\u2066\u200f<>&\"'😀€[]^|~%")),
    ),
    max_size=300,
)
ANY_TEXT = st.one_of(HOSTILE, st.builds(lambda s, n: s * n, HOSTILE, st.integers(100, 400)))
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@st.composite
def alert_subjects(draw) -> AlertSubject:
    return AlertSubject(
        ref=draw(ANY_TEXT),
        channel_name=draw(ANY_TEXT),
        author_handle=draw(st.none() | ANY_TEXT),
        text=draw(ANY_TEXT),
        post_url=draw(ANY_TEXT | HOSTILE.map(lambda s: "https://x.com/" + s)),
        created_at=draw(MOMENTS),
        due_at=draw(MOMENTS),
        level=draw(st.integers(1, 10)),
        level_count=draw(st.integers(1, 10)),
        breached=draw(st.booleans()),
        ack_failed=draw(st.booleans()),
        ack_error=draw(st.none() | ANY_TEXT),
    )


def _unsafe(text: str) -> bool:
    return bool(re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", text))


@settings(max_examples=150, deadline=None)
@given(alert_subjects(), MOMENTS)
def test_any_text_in_any_field_renders_alerts_every_transport_carries(alert, now):
    rendered = render_email(alert, now)
    assert len(rendered.subject) <= SUBJECT_LIMIT
    assert not re.search(r"[\r\n\t\x0b\x0c\u2028\u2029\u202a-\u202e\u2066-\u2069]", rendered.subject)
    assert not _unsafe(rendered.subject) and not _unsafe(rendered.text) and not _unsafe(rendered.html)
    assert {tag for tag in re.findall(r"</?([A-Za-z]+)", rendered.html)} <= OUR_TAGS
    message = delivered(rendered)  # SES gets bytes; a CR/LF or surrogate would have raised
    # Python's e-mail folding may add a space where it folds the header (before a subject that starts
    # with a symbol, or between an encoded word and plain text): the words must come back unchanged.
    assert message["Subject"].split() == rendered.subject.split() and len(message.get_all("To")) == 1
    sms = render_sms(alert, now)
    assert sms_segments(sms) <= SMS_MAX_SEGMENTS and "\n" not in sms and not _unsafe(sms)


HELD = HeldTicket(
    ref="K7Q2X",
    channel_name="X",
    author_handle="<jane>",
    post_url="https://x.com/jane/status/1001",
    due_at=POSTED + timedelta(hours=1),
    answered=False,
)


def test_the_held_back_summary_lists_each_ticket_with_its_state_and_link():
    summary = HeldBackSummary(
        account_name="X @AcmeCare",
        hour_start=datetime(2026, 11, 23, 14, tzinfo=UTC),
        alerts=HeldSection(
            held=7, tickets=(HELD, HeldTicket(**{**HELD.__dict__, "answered": True})), complete=False
        ),
        acknowledgements=HeldSection(held=1, tickets=(HELD,), complete=True),
    )
    rendered = render_held_back_summary(summary, POSTED + timedelta(hours=1, minutes=5))
    assert rendered.subject == (
        "[socialcare] X @AcmeCare: 7 alerts and 1 public acknowledgements held back by the hourly ceiling, "
        "2026-11-23 14:00-15:00 UTC"
    )
    assert "  K7Q2X X @<jane>, 5 min overdue: https://x.com/jane/status/1001" in rendered.text
    assert "K7Q2X X @<jane>, answered since" in rendered.text
    assert "not all of them could be listed" in rendered.text and "these customers got none" in rendered.text
    assert "<jane>" not in rendered.html and "@&lt;jane&gt;" in rendered.html


@settings(max_examples=60, deadline=None)
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT, MOMENTS)
def test_any_text_in_a_held_ticket_renders_a_summary_that_encodes(handle, ref, url, now):
    held = HeldTicket(
        ref=ref, channel_name="X", author_handle=handle, post_url=url, due_at=now, answered=False
    )
    summary = HeldBackSummary(
        handle, now.replace(minute=0, second=0, microsecond=0), HeldSection(1, (held,), True), None
    )
    rendered = render_held_back_summary(summary, now)
    assert len(rendered.subject) <= SUBJECT_LIMIT and not _unsafe(rendered.text)
    assert {tag for tag in re.findall(r"</?([A-Za-z]+)", rendered.html)} <= OUR_TAGS
    delivered(rendered)


def test_an_urgent_ticket_with_personal_data_says_both_first_and_asks_for_a_private_answer():
    flagged = subject(priority="urgent", personal_data=True)
    email = render_email(flagged, POSTED)
    assert email.subject.startswith("URGENT, personal data [")
    assert "continue privately" in email.text and "continue privately" in email.html
    assert render_sms(flagged, POSTED).startswith("socialcare URGENT, personal data ")


def test_an_ordinary_ticket_carries_no_flags():
    email = render_email(subject(), POSTED)
    assert email.subject.startswith("[") and "privately" not in email.text
    assert "URGENT" not in render_sms(subject(), POSTED)


# -- claim links ----------------------------------------------------------------------------------


def test_alerts_carry_the_claim_link_in_email_text_html_and_sms():
    link = "https://abc.lambda-url.eu-west-1.on.aws/?t=eyJ4.c2ln"
    subject = _replace(_claim_subject(), claim_url=link)
    email = render_email(subject, _CLAIM_NOW)
    assert f"Take it (stops further alerts): {link}" in email.text
    assert 'href="https://abc.lambda-url.eu-west-1.on.aws/?t=eyJ4.c2ln">Claim this ticket</a>' in email.html
    # A long message costs two segments anyway: the link takes the place of some of the words.
    long = _replace(subject, text="Where is my parcel? " * 20)
    sms = render_sms(long, _CLAIM_NOW)
    assert f"Claim: {link}" in sms and sms_segments(sms) == SMS_MAX_SEGMENTS


@given(
    handle=st.text(min_size=1, max_size=40),
    words=st.text(max_size=400),
    ref=st.text(min_size=1, max_size=12),
)
def test_every_sms_carries_its_claim_link_within_two_segments(handle, words, ref):
    link = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/?t=" + "x" * 83
    alert = _replace(_claim_subject(), claim_url=link, author_handle=handle, text=words, ref=ref)
    sms = render_sms(alert, _CLAIM_NOW)
    assert f"Claim: {link}" in sms and sms_segments(sms) <= SMS_MAX_SEGMENTS


def test_an_alert_without_a_claim_page_says_nothing_about_claiming():
    subject = _claim_subject()
    assert "Claim" not in render_email(subject, _CLAIM_NOW).text
    assert "Claim" not in render_sms(subject, _CLAIM_NOW)


_CLAIM_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _claim_subject() -> AlertSubject:
    return AlertSubject(
        ref="T-7",
        channel_name="Net",
        author_handle="ana",
        text="Where is my parcel?",
        post_url="https://example.com/p/7",
        created_at=_CLAIM_NOW - timedelta(minutes=30),
        due_at=_CLAIM_NOW + timedelta(minutes=30),
        level=1,
        level_count=3,
        breached=False,
    )
