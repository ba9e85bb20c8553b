"""Broken configuration fails the function at cold start with a message naming the field, before
any event is handled; nothing is half-done."""

import inspect
import json
from datetime import timedelta

import boto3
import pytest
import yaml

from socialcare.config import ConfigError
from socialcare.runtime.settings import SettingsError
from socialcare_local.replay import world


def break_config(change):
    """Store an edited configuration as YAML (the world publishes the compiled form's data)."""
    ssm = boto3.client("ssm")
    config = json.loads(ssm.get_parameter(Name=world.CONFIG_PARAMETER)["Parameter"]["Value"])["config"]
    change(config)
    ssm.put_parameter(Name=world.CONFIG_PARAMETER, Value=yaml.safe_dump(config), Overwrite=True)


@pytest.mark.parametrize(
    "function", ["PollFanOutFunction", "PollMentionsFunction", "AcknowledgeFunction", "EscalateFunction"]
)
def test_an_invalid_phone_number_stops_every_function_at_cold_start_naming_the_field(stack, function):
    break_config(lambda c: c["recipients"]["on_call"].update(sms="555-0123"))
    stack.deployment.cold_start()
    with pytest.raises(ConfigError, match=r"recipients\.on_call\.sms"):
        stack.deployment.load_handler(function)


def test_a_missing_environment_variable_is_named(stack, monkeypatch):
    fn = stack.deployment.function("EscalateFunction")
    monkeypatch.setitem(fn.environment, "SENDER_EMAIL", "not-an-address")
    stack.deployment.cold_start()
    with pytest.raises(SettingsError, match="SENDER_EMAIL"):
        stack.deployment.load_handler("EscalateFunction")


def test_an_unreadable_secret_fails_the_run_naming_it_while_other_accounts_go_on(make_stack):
    from socialcare.config.loader import BUNDLED_EXAMPLE

    config = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    config["accounts"] = [
        {"channel": "x", "id": "9001", "handle": "AcmeCare", "credentials_secret": "x/AcmeCare"},
        {"channel": "x", "id": "9002", "handle": "AcmeShop", "credentials_secret": "x/AcmeShop"},
    ]
    stack = make_stack(config_text=yaml.safe_dump(config))
    boto3.client("secretsmanager").delete_secret(
        SecretId=world.SECRETS_PREFIX + "x/AcmeCare", ForceDeleteWithoutRecovery=True
    )
    stack.sim.publish(
        post_id="1001", author_id="42", text="@AcmeShop hi", created_at=stack.clock.now(), mentions=["9002"]
    )
    stack.clock.advance(timedelta(minutes=1))
    result = stack.poll()
    assert result["retried"] == ["x#9001"]  # its message fails alone; SQS delivers it again
    failed = next(poll for poll in result["accounts"] if poll["account"] == "x#9001")
    assert "cannot read secret socialcare/socialcare-local/x/AcmeCare" in failed["errors"][0]
    assert [t["post_id"] for t in stack.tickets()] == ["1001"]


def edit_compiled(change):
    """Change the compiled form the world published, as `socialcare config publish` writes it."""
    ssm = boto3.client("ssm")
    text = ssm.get_parameter(Name=world.CONFIG_PARAMETER)["Parameter"]["Value"]
    ssm.put_parameter(Name=world.CONFIG_PARAMETER, Value=change(text), Overwrite=True)


def test_the_functions_run_on_the_compiled_configuration_without_pydantic(stack):
    from socialcare.config.light import LightModel

    stack.deployment.cold_start()
    handler = inspect.unwrap(stack.deployment.load_handler("AcknowledgeFunction"))
    assert isinstance(handler.__globals__["container"].config, LightModel)
    stack.sim.publish(
        post_id="1001", author_id="42", text="@AcmeCare my order never came", created_at=stack.clock.now()
    )
    stack.clock.advance(timedelta(minutes=1))
    stack.poll()
    assert [t["post_id"] for t in stack.tickets()] == ["1001"]


@pytest.mark.parametrize("function", ["PollFanOutFunction", "AcknowledgeFunction", "EscalateFunction"])
def test_an_edited_compiled_configuration_stops_every_function_at_cold_start(stack, function):
    edit_compiled(lambda text: text.replace('"retention_days":90', '"retention_days":900', 1))
    stack.deployment.cold_start()
    with pytest.raises(ConfigError, match="checksum does not match: it was changed after publishing"):
        stack.deployment.load_handler(function)
