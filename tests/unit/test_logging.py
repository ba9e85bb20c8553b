import io
import json
import logging

from socialcare.runtime.logging import build_logger


def test_log_lines_never_keep_a_customers_phone_number_or_email():
    stream = io.StringIO()
    logger = build_logger("socialcare-test")
    logger.addHandler(logging.StreamHandler(stream))  # the formatter is per logger; grab its output too
    for handler in logger.handlers:
        handler.setFormatter(logger.registered_formatter)
    logger.info("mention stored", text="call me on +44 7700 900456 or jane@example.com", ticket="x:1001")
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert "900456" not in json.dumps(line) and "jane@example.com" not in json.dumps(line)
    assert line["ticket"] == "x:1001" and line["message"] == "mention stored"
