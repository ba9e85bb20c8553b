"""Which reply a ticket gets, and the rules each kind of template must keep (checked at cold start,
naming the field)."""

from datetime import UTC, datetime

import pytest

from socialcare.config.loader import BUNDLED_EXAMPLE, ConfigError, parse_config
from socialcare.domain.reply_kind import ReplyFacts, reply_kind
from socialcare.domain.templates import TemplateError, check_template, render_acknowledgement

CLOSED_UNTIL = datetime(2026, 11, 24, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "kind"),
    [
        (ReplyFacts("complaint", False), "acknowledgement"),
        (ReplyFacts("question", False), "acknowledgement"),
        (ReplyFacts(None, False), "acknowledgement"),  # a ticket from before triage
        (ReplyFacts("praise", False), "thanks"),
        (ReplyFacts("praise", False, CLOSED_UNTIL), "thanks"),  # praise needs nobody to come back
        (ReplyFacts("complaint", True), "offline"),
        (ReplyFacts("praise", True, CLOSED_UNTIL), "offline"),  # personal data outranks everything
        (ReplyFacts("question", False, CLOSED_UNTIL), "after_hours"),
    ],
)
def test_the_kind_of_reply(facts, kind):
    assert reply_kind(facts) == kind


@pytest.mark.parametrize(
    ("kind", "template", "complaint"),
    [
        ("thanks", "Thanks! Ref {ref}", "must not carry {ref}"),
        ("thanks", "Thanks, we'll reply {response_time}", "must not carry {response_time}"),
        ("offline", "Please DM us", "must carry the ticket reference {ref}"),
        ("after_hours", "Closed now, ref {ref}", "must carry {opens}"),
        ("after_hours", "Back {opens}, reply {response_time} (ref {ref})", "must not carry {response_time}"),
        ("acknowledgement", "Back {opens} (ref {ref})", "must not carry {opens}"),
    ],
)
def test_each_kind_of_template_keeps_its_rules(kind, template, complaint):
    with pytest.raises(TemplateError, match=complaint.replace("{", r"\{").replace("}", r"\}")):
        check_template(template, 280, kind=kind)


def test_a_long_private_contact_counts_against_the_networks_limit():
    template = "To keep your details safe: {contact} (ref {ref})"
    check_template(template, 280, kind="offline", contact="email care@acme.example")
    with pytest.raises(TemplateError, match="over the channel's 280"):
        check_template(template, 280, kind="offline", contact="x" * 260)


def test_a_bad_template_of_any_kind_fails_the_configuration_naming_its_field():
    text = BUNDLED_EXAMPLE.read_text(encoding="utf-8")
    broken = text.replace("acknowledgements:\n", "acknowledgements:\n  thanks: ['Thanks! ref {ref}']\n", 1)
    assert broken != text
    with pytest.raises(ConfigError, match=r"acknowledgements\.thanks\.0: thanks template"):
        parse_config(broken, "example")


def test_an_offline_reply_fills_the_contact_and_never_echoes_the_mention():
    reply = render_acknowledgement(
        ["Let's take this private: {contact}, ref {ref}."],
        ticket_id="x:1",
        ref="6F98X",
        target_minutes=60,
        brand_handle="AcmeCare",
        author_handle="jane",
        mention_text="call me on 07700 900123",
        max_length=280,
        contact="please DM us",
    )
    assert reply == "Let's take this private: please DM us, ref 6F98X."


@pytest.mark.parametrize(
    ("facts", "kind"),
    [
        (ReplyFacts("complaint", False, in_incident=True), "incident"),
        (
            ReplyFacts("question", False, CLOSED_UNTIL, in_incident=True),
            "incident",
        ),  # the status, not "back at 9"
        (ReplyFacts("complaint", True, in_incident=True), "offline"),  # personal data still goes private
    ],
)
def test_a_mention_of_an_open_incident_gets_its_status_update(facts, kind):
    assert reply_kind(facts) == kind


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("We're on it ({ref}), reply {response_time}", "must not carry {response_time}"),
        ("We're on it ({ref}), back {opens}", "must not carry {opens}"),
    ],
)
def test_an_incident_reply_promises_no_time(template, complaint):
    with pytest.raises(TemplateError, match=complaint):
        check_template(template, 280, kind="incident")


def test_an_incident_reply_carries_the_reference_so_no_two_replies_are_the_same_text():
    with pytest.raises(TemplateError, match="must carry the ticket reference"):
        check_template(
            "We're on it: {status_page}", 280, kind="incident", status_page="https://status.example"
        )


def test_only_an_incident_reply_may_link_the_status_page():
    check_template("On it ({ref}): {status_page}", 280, kind="incident", status_page="https://status.example")
    with pytest.raises(TemplateError, match="must not carry {status_page}"):
        check_template("Ref {ref}, see {status_page}", 280, kind="acknowledgement")
