import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare.channels.x.textlength import weighted_length
from socialcare.domain.templates import (
    TemplateError,
    check_template,
    choose_variant,
    fit,
    render_acknowledgement,
    response_time_phrase,
)

VARIANTS = [
    "Thanks {author}, logged as ref {ref}; a person will reply {response_time}.",
    "Got it (ref {ref}). Our team answers {response_time}. Please keep personal details out of public posts.",
    "We're on it, ref {ref}.",
]


def render(variants=VARIANTS, **overrides):
    args = dict(
        ticket_id="x:1001",
        ref="K7Q2X",
        target_minutes=60,
        brand_handle="AcmeCare",
        author_handle="jane",
        mention_text="@AcmeCare my order never came",
        max_length=280,
        length=weighted_length,
    )
    args.update(overrides)
    return render_acknowledgement(variants, **args)


def test_reply_carries_the_reference_and_the_promised_response_time():
    text = render([VARIANTS[0]], mention_text="hi")
    assert text == "Thanks @jane, logged as ref K7Q2X; a person will reply within the hour."


def test_the_variant_is_stable_per_ticket_and_varies_across_tickets():
    assert render(ticket_id="x:1001") == render(ticket_id="x:1001")
    chosen = {choose_variant(VARIANTS, f"x:{n}") for n in range(200)}
    assert chosen == set(VARIANTS)


def test_a_hostile_handle_is_not_substituted():
    text = render([VARIANTS[0]], author_handle="{ref.__class__}<script>")
    assert text == "Thanks, logged as ref K7Q2X; a person will reply within the hour."


@given(st.text(max_size=400))
def test_nothing_a_customer_writes_reaches_the_reply_and_it_always_fits(mention):
    text = render(mention_text=mention)
    assert weighted_length(text) <= 280
    assert "K7Q2X" in text


def test_personal_data_from_the_mention_is_never_echoed_even_if_a_template_would():
    leaky = ["Ref {ref}: call us back on +44 7700 900123 ok"]
    text = render(leaky, mention_text="please call me on +44 7700 900123")
    assert "7700 900123" not in text and text.startswith("Ref K7Q2X: call us back on")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Thanks {name}, ref {ref}", "unknown placeholder {name}"),
        ("ref {ref.__class__}", "unknown placeholder"),
        ("ref {ref!r}", "unknown placeholder"),
        ("no reference here", "must carry the ticket reference"),
        ("ref {ref} " + "x" * 300, "over the channel's 280"),
        ("ref {ref", "unbalanced braces"),
    ],
)
def test_bad_templates_fail_at_configuration_time(template, problem):
    with pytest.raises(
        TemplateError, match=problem.replace("{", r"\{").replace("}", r"\}").replace("(", r"\(")
    ):
        check_template(template, 280, weighted_length)


def test_over_long_text_is_cut_at_a_word_with_an_ellipsis():
    assert fit("one two three four", 10) == "one two…"
    assert len(fit("x" * 50, 10)) == 10


@pytest.mark.parametrize(
    ("minutes", "phrase"), [(60, "within the hour"), (120, "within 2 hours"), (45, "within 45 minutes")]
)
def test_response_time_phrases(minutes, phrase):
    assert response_time_phrase(minutes) == phrase
