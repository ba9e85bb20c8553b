from datetime import UTC, datetime, timedelta

from socialcare.domain.alerts import SMS_LIMIT, AlertSubject, render_email, render_sms

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


def test_email_tells_staff_who_wrote_what_where_to_reply_and_how_long_is_left():
    email = render_email(SUBJECT, POSTED + timedelta(minutes=30))
    assert "K7Q2X" in email.subject and "@jane" in email.subject and "30 min left" in email.subject
    assert "never came" in email.text and "https://x.com/jane/status/1001" in email.text
    assert "30 min left" in email.text


def test_email_html_escapes_the_customers_text():
    email = render_email(SUBJECT, POSTED)
    assert "<b>my order</b>" not in email.html
    assert "&lt;b&gt;my order&lt;/b&gt;" in email.html


def test_sms_is_one_message_with_reference_link_and_no_personal_data():
    sms = render_sms(SUBJECT, POSTED + timedelta(minutes=48))
    assert len(sms) <= SMS_LIMIT
    assert sms.startswith("socialcare K7Q2X X @jane 12 min left")
    assert sms.endswith("https://x.com/jane/status/1001")
    assert "900123" not in sms


def test_breach_alert_says_so():
    breached = AlertSubject(**{**SUBJECT.__dict__, "breached": True, "level": 3})
    assert "BREACHED" in render_sms(breached, POSTED + timedelta(hours=1))
