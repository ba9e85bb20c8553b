"""An account's credentials_secret is named relative to the stack's secrets prefix, the only secrets
the stack's functions may read; a name outside it is refused with the prefix in the message."""

import pytest

from socialcare.runtime.secrets import SecretError, channel_credentials, secret_name
from socialcare.runtime.settings import SettingsError, load_settings

PREFIX = "socialcare/prod/"
ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"


def test_a_relative_name_is_read_under_the_prefix():
    assert secret_name("x/AcmeCare", PREFIX) == "socialcare/prod/x/AcmeCare"
    assert secret_name("AcmeCare", "acme/care/") == "acme/care/AcmeCare"


@pytest.mark.parametrize(
    "configured",
    ["socialcare/prod/x/AcmeCare", f"{ARN}socialcare/prod/x/AcmeCare-AbCdEf"],
)
def test_a_full_name_or_arn_under_the_prefix_is_kept(configured):
    assert secret_name(configured, PREFIX) == configured


@pytest.mark.parametrize(
    "configured",
    [
        "socialcare/x/AcmeCare",  # the names of a stack-less deployment
        "socialcare/staging/x/AcmeCare",  # another stack's
        "socialcare/production/x/AcmeCare",  # shares the characters, not the prefix
        f"{ARN}socialcare/staging/x/AcmeCare-AbCdEf",
        f"{ARN}other/AcmeCare-AbCdEf",
        "/x/AcmeCare",
    ],
)
def test_a_secret_outside_the_prefix_is_refused_naming_the_prefix(configured):
    with pytest.raises(SecretError) as raised:
        secret_name(configured, PREFIX)
    message = str(raised.value)
    assert configured in message and PREFIX in message
    assert "relative to the prefix" in message


def test_the_refusal_comes_before_any_call_to_secrets_manager():
    class NoCalls:
        def get_secret_value(self, **_kwargs):
            raise AssertionError("a refused name must not be fetched")

    with pytest.raises(SecretError, match="outside this stack's secrets prefix"):
        channel_credentials("socialcare/x/AcmeCare", PREFIX, client=NoCalls())


def test_credentials_are_read_from_the_resolved_name():
    asked = []

    class OneSecret:
        def get_secret_value(self, **kwargs):
            asked.append(kwargs["SecretId"])
            return {"SecretString": '{"bearer_token": "t"}'}

    assert channel_credentials("x/Acme", PREFIX, client=OneSecret(), max_age=0) == {"bearer_token": "t"}
    assert asked == ["socialcare/prod/x/Acme"]


ENV = {
    "TICKETS_TABLE": "tickets",
    "STATE_TABLE": "state",
    "IDEMPOTENCY_TABLE": "idem",
    "SENDER_EMAIL": "alerts@example.com",
}


def test_the_prefix_comes_from_the_environment():
    assert load_settings({**ENV, "SECRETS_PREFIX": PREFIX}).secrets_prefix == PREFIX


@pytest.mark.parametrize("value", [None, "", "socialcare/prod", "socialcare/*/"])
def test_a_missing_or_malformed_prefix_is_named_at_cold_start(value):
    env = dict(ENV) if value is None else {**ENV, "SECRETS_PREFIX": value}
    with pytest.raises(SettingsError, match="SECRETS_PREFIX"):
        load_settings(env)
