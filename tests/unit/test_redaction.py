import pytest

from socialcare.domain.redaction import personal_data_in, redact


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


def test_order_numbers_after_a_keyword_are_found():
    assert "A1B2C3D4" in personal_data_in("my order #A1B2C3D4 never came")
    assert "778899001" in personal_data_in("Order number: 778899001")


@pytest.mark.parametrize(
    "ordinary", ["see you at 10:30 on 23/11", "it cost £25.99", "5 stars", "@AcmeCare hello"]
)
def test_ordinary_text_is_left_alone(ordinary):
    assert redact(ordinary) == ordinary


@pytest.mark.parametrize("plain", ["my order never came", "order status please", "my account locked again"])
def test_words_after_a_keyword_are_not_mistaken_for_numbers(plain):
    assert redact(plain) == plain


@pytest.mark.parametrize(
    "log_text",
    [
        "2026-11-22 11:02:05,891+0000",
        "arn:aws:lambda:us-east-1:123456789012:function:Poll",
        "2026-11-23T14:16:00+00:00",
    ],
)
def test_timestamps_and_arns_in_log_lines_survive(log_text):
    assert redact(log_text) == log_text
