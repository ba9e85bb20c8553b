import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from socialcare.domain.redaction import MASK, find_personal_data, personal_data_in, redact
from socialcare_local.redaction_corpus import POSITIVE, adversarial_text, found, load, secrets_of


@pytest.mark.parametrize(
    "secret",
    [
        "+44 7700 900123",
        "(415) 555-0123",
        "jane.doe+care@example.co.uk",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "GB82 WEST 1234 5698 7654 32",
    ],
)
def test_personal_data_is_masked(secret):
    text = f"hi, it's {secret} - please help"
    assert secret not in redact(text)
    assert "[redacted]" in redact(text)


@pytest.mark.parametrize(
    ("text", "category", "secret"),
    [
        ("pls call07700900456 asap", "phone", "07700900456"),
        ("ring me:+33612345678", "phone", "+33612345678"),
        ("call me 07700\u00a0900\u00a0456", "phone", "07700\u00a0900\u00a0456"),
        ("tel +44\u202f7700\u202f900\u202f321", "phone", "+44\u202f7700\u202f900\u202f321"),
        ("mon numéro: +33 6 39 98 45 67", "phone", "+33 6 39 98 45 67"),
        ("my email is jane dot doe at gmail dot com", "email", "jane dot doe at gmail dot com"),
        ("contact: priya[at]example[dot]in", "email", "priya[at]example[dot]in"),
        ("card 4111 1111 1111 1111 please refund", "card", "4111 1111 1111 1111"),
        ("IBAN DE89 3704 0044 0532 0130 00 thanks", "iban", "DE89 3704 0044 0532 0130 00"),
        ("SSN 078-05-1120", "ssn", "078-05-1120"),
        ("deliver to NW1 6XE not the old address", "postcode", "NW1 6XE"),
        ("I live at 221B Baker Street, London", "address", "221B Baker Street"),
        ("passport no. 123456789", "passport_or_id", "123456789"),
        ("DOB 03/04/1987", "date_of_birth", "03/04/1987"),
        ("order #48213 never came", "order_or_tracking", "#48213"),
    ],
)
def test_each_kind_is_found_with_its_category_and_masked_whole(text, category, secret):
    start = text.index(secret)
    assert any(
        f.category == category and f.start <= start and f.end >= start + len(secret)
        for f in find_personal_data(text)
    )
    assert redact(text) == text.replace(secret, MASK)


def test_a_country_code_is_masked_with_its_number():
    assert redact("call +33 6 39 98 45 67 today") == "call [redacted] today"
    assert redact("call (+33) 6 39 98 45 67 today") == "call [redacted] today"


def test_order_numbers_after_a_keyword_are_found():
    assert "#A1B2C3D4" in personal_data_in("my order #A1B2C3D4 never came")
    assert "778899001" in personal_data_in("Order number: 778899001")
    assert redact("numéro de commande 40012345") == "numéro de commande [redacted]"


def test_a_value_found_after_a_keyword_is_masked_where_it_appears_again():
    assert (
        redact("order 48213 never came. Is 48213 lost?") == "order [redacted] never came. Is [redacted] lost?"
    )


def test_overlapping_findings_are_masked_once():
    # A card is also digits a phone matcher could read, and an order number after "order".
    assert redact("order 4111 1111 1111 1111") == "order [redacted]"


@pytest.mark.parametrize(
    "ordinary",
    [
        "see you at 10:30 on 23/11",
        "it cost £25.99",
        "5 stars",
        "@AcmeCare hello",
        "$1,299.99 for a laptop",
        "20% off",
        "the sale ends 2026-11-29",
        "F1 2nd place",
        "meet at 3pm",
        "since 2019",
        "#BlackFriday2026 deals",
    ],
)
def test_ordinary_text_is_left_alone(ordinary):
    assert redact(ordinary) == ordinary


@pytest.mark.parametrize("plain", ["my order never came", "order status please", "my account locked again"])
def test_words_after_a_keyword_are_not_mistaken_for_numbers(plain):
    assert redact(plain) == plain


@pytest.mark.parametrize("reference", ["ref K7Q2X", "ticket RWZFZ", "reference 7QX2K please"])
def test_our_own_ticket_references_are_not_personal_data(reference):
    assert redact(reference) == reference


@pytest.mark.parametrize(
    "log_text",
    [
        "2026-11-22 11:02:05,891+0000",
        "arn:aws:lambda:us-east-1:123456789012:function:Poll",
        "2026-11-23T14:16:00+00:00",
        "2026-11-23T14:00:05Z",
        "x:1860000000000001001",
        "TICKET#x#1860000000000001001",
        "x:1860000000000001001#L2#sms",
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "1-5759e988-bd862e3fe1be46a994272793",
        "Root=1-67891233-abcdef012345678912345678",
        "since_id 1860000000000001001, 37 mentions in 812 ms",
    ],
)
def test_timestamps_and_ids_in_log_lines_survive(log_text):
    assert redact(log_text) == log_text


def test_redaction_is_linear_on_adversarial_text():
    text = adversarial_text()
    assert len(text) == 100_000
    started = time.process_time()  # CPU time: other processes on a shared machine don't count
    redact(text)
    # The old order-number pattern took 106 s for 2,000 characters; figures: make bench-redaction.
    assert time.process_time() - started < 5


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_redaction_never_raises_and_is_idempotent_on_any_text(text):
    once = redact(text)
    assert redact(once) == once
    assert personal_data_in(once) == set()


_PIECES = st.sampled_from(
    [" ", "-", ".", "(", ")", "+", "@", "#", ":", "/", "0", "7", "44", "07700", "900", "456", "4111", "1111",
     "order", "no.", "DOB", "at", "dot", "com", "Street", "12", "NW1", "6XE", "DE89", "\u00a0", "\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_redaction_is_idempotent_on_text_made_of_personal_data_fragments(text):
    once = redact(text)
    assert redact(once) == once


_CORPUS = load(POSITIVE)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_CORPUS), st.text(max_size=80), st.text(max_size=80))
def test_secrets_are_masked_whatever_text_surrounds_the_post(post, before, after):
    assume(found(post))  # a post the engine misses anyway is counted by the corpus test, not here
    assume(not any(secret in before + after for secret in secrets_of(post)))
    text = f"{before}\n{post['text']}\n{after}"
    masked = redact(text)
    for secret in secrets_of(post):
        assert secret not in masked


def test_a_fediverse_handle_is_a_public_name_not_an_email_address():
    from socialcare.domain.redaction import redact as _redact

    assert (
        _redact("@noor@fosstodon.org is the parka waterproof?")
        == "@noor@fosstodon.org is the parka waterproof?"
    )
    assert "jane.doe@gmail.com" not in _redact("@acme@mastodon.social mail me at jane.doe@gmail.com")
