"""What an incident is about (its top terms), which later mentions belong to it, and what its
on-call alert shows: never a customer's personal data."""

import pytest

from socialcare.domain.incidents.alert_text import IncidentFacts, incident_alert, redacted_samples
from socialcare.domain.incidents.terms import belongs, top_terms, words
from socialcare.domain.redaction import MASK

OUTAGE = [
    "Is the site down?",
    "site down again?? @acme",
    "Can't log in, is your site down",
    "website down for anyone else? https://t.example/a",
    "Checkout broken, the site down for hours",
    "hello, my order 12345678 is late",
]


def test_the_words_most_mentions_share_are_the_terms_most_shared_first():
    assert top_terms(OUTAGE) == ["down", "site"]


def test_a_word_repeated_by_one_author_is_not_a_term():
    assert "help" not in top_terms(["help help help help", "site down", "site down please", "site is down"])


def test_stopwords_handles_links_and_numbers_are_never_terms():
    found = words("Hey @acme is the app down? see https://t.example/x order 987654 #fail")
    assert found == {"app", "down", "see", "order"}


def test_personal_data_never_becomes_a_term():
    texts = ["site down, email me at jane.doe@mail.example"] * 5
    assert {"jane", "doe", "jane.doe", "example"}.isdisjoint(top_terms(texts, limit=20))


def test_no_mentions_no_terms():
    assert top_terms([]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Your SITE is DOWN!!", True),
        ("the website is down", True),
        ("love the new shoes", False),
        ("", False),
    ],
)
def test_a_mention_belongs_when_it_shares_a_top_term(text, expected):
    assert belongs(text, ["down", "site"]) is expected


def test_nothing_belongs_to_an_incident_without_terms():
    assert not belongs("site down", [])


def test_sample_posts_are_redacted_distinct_and_few():
    texts = ["call me on +44 7700 900123, site down"] * 3 + [f"site down {n}" for n in range(10)]
    samples = redacted_samples(texts)
    assert len(samples) == 5
    assert "7700" not in samples[0] and MASK in samples[0]
    assert len(set(samples)) == 5


def test_the_alert_gives_volume_expected_terms_samples_and_leaves_room_for_a_link():
    facts = IncidentFacts(
        "inc-1", "x#42", "2026-11-23T09:00:00+00:00", 150, 3.2, 15, ("down", "site"), ("site down?",)
    )
    subject, body, sms = incident_alert(facts, 1, None)
    assert "inc-1" in subject and "x#42" in subject
    for part in ("150 mentions", "3.2 expected", "down, site", "- site down?"):
        assert part in body
    assert "Resolve" not in body
    _, body, sms = incident_alert(facts, 2, "https://claim.example/i/abc")
    assert body.endswith("Resolve it: https://claim.example/i/abc")
    assert sms.endswith("https://claim.example/i/abc")
