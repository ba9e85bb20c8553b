import io
import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare.domain.redaction import redact
from socialcare.runtime.logging import build_logger


@pytest.fixture
def log_lines():
    """A logger with the production formatter, and a function returning its lines so far."""
    stream = io.StringIO()
    logger = build_logger("socialcare-test")
    logger.addHandler(logging.StreamHandler(stream))  # the formatter is per logger; grab its output too
    for handler in logger.handlers:
        handler.setFormatter(logger.registered_formatter)
    # Lines end at "\n" only: str.splitlines() would also split at U+2028 or U+0085 inside a value.
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().rstrip("\n").split("\n")]
    logger.removeHandler(logger.handlers[-1])


def test_log_lines_never_keep_a_customers_phone_number_or_email(log_lines):
    logger, lines = log_lines
    logger.info("mention stored", text="call me on +44 7700 900456 or jane@example.com", ticket="x:1001")
    line = lines()[-1]
    assert "900456" not in json.dumps(line) and "jane@example.com" not in json.dumps(line)
    assert line["ticket"] == "x:1001" and line["message"] == "mention stored"


def test_data_after_an_escaped_newline_or_quote_is_masked_and_the_line_stays_json(log_lines):
    logger, lines = log_lines
    logger.info('mention "text":\nplease call +44 7700 900456\n\tor "07700 900123"')
    line = lines()[-1]  # json.loads succeeded
    assert "900456" not in line["message"] and "900123" not in line["message"]
    assert line["message"].startswith('mention "text":\nplease call [redacted]')


def test_nested_values_and_numbers_are_masked(log_lines):
    logger, lines = log_lines
    logger.info(
        "batch", mentions=[{"text": "DOB 03/04/1987", "id": "1860000000000001001"}], phone=447700900456
    )
    line = lines()[-1]
    assert line["mentions"] == [{"text": "DOB [redacted]", "id": "1860000000000001001"}]
    assert line["phone"] == "[redacted]"


def test_exception_text_is_masked(log_lines):
    logger, lines = log_lines
    try:
        raise ValueError("customer wrote: card 4111 1111 1111 1111")
    except ValueError:
        logger.exception("store failed")
    line = lines()[-1]
    assert "4111 1111" not in line["exception"] and "[redacted]" in line["exception"]


def test_ids_timestamps_and_lambda_context_keys_survive(log_lines, monkeypatch):
    logger, lines = log_lines
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    )
    keys = {
        "ticket": "x:1860000000000001001",
        "ticket_pk": "TICKET#x#1860000000000001001",
        "until": "2026-11-23 14:15:00+00:00",
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:Poll",
        "function_request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "cold_start": True,
        "function_memory_size": 128,
    }
    logger.append_keys(**keys)
    logger.info("acknowledgement", ref="K7Q2X", outcome="posted")
    line = lines()[-1]
    assert {key: line[key] for key in keys} == keys
    assert line["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert line["ref"] == "K7Q2X"
    assert line["timestamp"] and "[redacted]" not in json.dumps(line)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_every_line_is_valid_json_whatever_is_logged(message, text):
    stream = io.StringIO()
    logger = build_logger("socialcare-test")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        logger.info(message, text=text)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().rstrip("\n").split("\n")
    assert len(lines) == 1
    assert json.loads(lines[0])["text"] == redact(text)
