"""The environment a function starts with: every bad or missing variable is named at once, before
any event is handled; CloudFormation's empty strings mean "not set"."""

import pytest

from socialcare.runtime.settings import SettingsError, load_settings

ENV = {
    "TICKETS_TABLE": "socialcare-tickets",
    "STATE_TABLE": "socialcare-state",
    "IDEMPOTENCY_TABLE": "socialcare-idempotency",
    "SENDER_EMAIL": "Care Team <care@Acme.Example>",
    "SECRETS_PREFIX": "socialcare/prod/",
}


def test_a_complete_environment_is_read_with_the_defaults_filled():
    settings = load_settings({**ENV, "API_BASE_URLS": "x=http://localhost:8001, meta=https://graph.test/"})
    assert settings.sender_email == "care@acme.example"
    assert settings.api_base_urls == {"x": "http://localhost:8001", "meta": "https://graph.test/"}
    assert (settings.http_timeout_seconds, settings.retry_base_delay_seconds) == (10.0, 0.5)
    assert settings.config_parameter is None and settings.sms_sender_id is None


def test_empty_strings_are_unset_variables():
    settings = load_settings({**ENV, "CONFIG_PARAMETER": "", "SMS_SENDER_ID": "", "HTTP_TIMEOUT_SECONDS": ""})
    assert settings.config_parameter is None and settings.sms_sender_id is None
    assert settings.http_timeout_seconds == 10.0


def test_every_bad_variable_is_named_at_once():
    env = {
        **ENV,
        "STATE_TABLE": "",
        "IDEMPOTENCY_TABLE": "ab",
        "API_BASE_URLS": "x=ftp://sim",
        "HTTP_TIMEOUT_SECONDS": "0",
        "RETRY_BASE_DELAY_SECONDS": "soon",
        "SMS_SENDER_ID": "AcmeCareTeam1",
    }
    with pytest.raises(SettingsError) as failure:
        load_settings(env)
    named = [line.split(":")[0].strip() for line in str(failure.value).splitlines()[1:]]
    assert named == [
        "STATE_TABLE",
        "IDEMPOTENCY_TABLE",
        "API_BASE_URLS",
        "HTTP_TIMEOUT_SECONDS",
        "RETRY_BASE_DELAY_SECONDS",
        "SMS_SENDER_ID",
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "61", "-1"])
def test_a_timeout_outside_its_bounds_is_refused(value):
    with pytest.raises(SettingsError, match="HTTP_TIMEOUT_SECONDS"):
        load_settings({**ENV, "HTTP_TIMEOUT_SECONDS": value})


def test_the_settings_cannot_be_changed_once_read():
    settings = load_settings(ENV)
    with pytest.raises(AttributeError):
        settings.tickets_table = "other"  # type: ignore[misc]
