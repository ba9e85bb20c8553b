"""E-mail addresses of the sender and the staff recipients: what the syntax check accepts, what it
refuses, and that a refusal names the field as the settings and configuration errors always did."""

import pytest
import yaml

from socialcare.config import ConfigError
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.domain.email_address import InvalidEmailAddress, check_email_address
from socialcare.runtime.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("care-team@acme.example", "care-team@acme.example"),
        ("first.last+alerts@mail.acme.co.uk", "first.last+alerts@mail.acme.co.uk"),
        ("o'brien_{x}|y~z@acme.example", "o'brien_{x}|y~z@acme.example"),
        ("On.Call@ACME.Example", "On.Call@acme.example"),  # the domain is lowercased, as before
        ("  manager@acme.example\t", "manager@acme.example"),  # surrounding spaces dropped, as before
        ("Care Team <care@acme.example>", "care@acme.example"),  # a display name keeps the address
        ("josé@correo.example", "josé@correo.example"),  # RFC 6531
        ("care@bücher.example", "care@bücher.example"),  # an IDN domain
        ("a@b.co", "a@b.co"),
        ("x" * 64 + "@acme.example", "x" * 64 + "@acme.example"),
        ("a@" + "d" * 63 + ".example", "a@" + "d" * 63 + ".example"),
    ],
)
def test_an_ordinary_address_is_accepted_and_kept(given, kept):
    assert check_email_address(given) == kept


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("", "empty"),
        ("not-an-address", "no @-sign"),
        ("care@localhost", "no dot"),
        ("a@b@acme.example", "more than one @-sign"),
        ("@acme.example", "nothing comes before"),
        ("care@", "nothing comes after"),
        ("care team@acme.example", "space"),
        ('"care team"@acme.example', "space"),
        ("care\u200b@acme.example", "control"),  # a zero-width space
        ("care\x00@acme.example", "control"),
        ("care@acme.example\r\nBcc: everyone@acme.example", "line break"),
        ("care@acme.example\n", "line break"),
        (".care@acme.example", "dot"),
        ("care.@acme.example", "dot"),
        ("ca..re@acme.example", "dot"),
        ("ca(re)@acme.example", "'('"),
        ("care@acme..example", "dot"),
        ("care@acme.example.", "dot"),
        ("care@acme_team.example", "'_'"),
        ("care@[192.0.2.1]", "'['"),
        ("care@-acme.example", "hyphen"),
        ("care@acme-.example", "hyphen"),
        ("care@192.0.2.1", "not a top-level domain"),
        ("x" * 65 + "@acme.example", "longer than 64"),
        ("é" * 33 + "@acme.example", "longer than 64"),  # 66 octets in UTF-8
        ("a@" + "d" * 64 + ".example", "longer than 63"),
        ("a@" + ".".join(["d" * 60] * 4) + ".dddddddddd.ex", "longer than 253"),
        ("x" * 64 + "@" + ".".join(["d" * 60] * 3) + ".example", "longer than 254"),
    ],
)
def test_a_malformed_address_is_refused_saying_why(given, reason):
    with pytest.raises(InvalidEmailAddress) as refusal:
        check_email_address(given)
    assert reason in str(refusal.value)


def test_a_bad_recipient_address_fails_the_configuration_naming_the_field():
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data["recipients"]["manager"]["email"] = "manager@acme"
    with pytest.raises(ConfigError) as failure:
        parse_config(yaml.safe_dump(data), "test.yaml")
    assert "recipients.manager.email: value is not a valid email address: the domain has no dot" in str(
        failure.value
    )


def test_a_recipient_address_is_kept_normalised_for_the_alerts():
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data["recipients"]["care_team"]["email"] = "Care Team <Care-Team@ACME.example>"
    config = parse_config(yaml.safe_dump(data), "test.yaml")
    assert config.recipients["care_team"].email == "Care-Team@acme.example"
    assert "Care-Team@acme.example" in [alert.address for alert in config.ladder().level(1).alerts]


ENVIRONMENT = {
    "TICKETS_TABLE": "tickets",
    "STATE_TABLE": "state",
    "IDEMPOTENCY_TABLE": "idempotency",
    "SECRETS_PREFIX": "socialcare/test/",
}


def test_a_bad_sender_address_fails_the_settings_naming_the_variable():
    with pytest.raises(SettingsError) as failure:
        load_settings({**ENVIRONMENT, "SENDER_EMAIL": "alerts at acme.example"})
    assert "SENDER_EMAIL: value is not a valid email address: it holds a space" in str(failure.value)


def test_a_good_sender_address_is_read():
    assert load_settings({**ENVIRONMENT, "SENDER_EMAIL": "alerts@acme.example"}).sender_email == (
        "alerts@acme.example"
    )
