"""Everything around the stack that a real deployment gets from its operator: the brand's accounts
on the (simulated) network, their API credentials in Secrets Manager, the configuration in SSM, and
a verified SES sender. Kept apart from the driving loop so tests can build the same world."""

import json
from dataclasses import dataclass
from pathlib import Path

import boto3
import yaml

from socialcare.config.compiled import compile_config
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.runtime.secrets import secret_name

from ..intrinsics import LOCAL_STACK_NAME
from ..networks.base import SimulatedNetwork, webhook_of
from .scenario import Account

CONFIG_PARAMETER = "/socialcare/config"
# The template's default SecretsPrefix for the local stack: the only secrets its functions may read.
SECRETS_PREFIX = f"socialcare/{LOCAL_STACK_NAME}/"
SENDER_EMAIL = "alerts@socialcare.example"
ALARM_EMAIL = "ops@socialcare.example"


@dataclass(frozen=True)
class WorldAccount:
    channel: str
    id: str
    handle: str
    secret: str  # the secret's full name


def pushing_webhooks(networks: dict[str, SimulatedNetwork], channels: set[str]) -> list:
    """The webhooks of the networks serving these channels (each network once)."""
    serving = dict.fromkeys(networks[c] for c in sorted(channels) if c in networks)
    return [hook for hook in map(webhook_of, serving) if hook is not None]


def webhook_secret_name(name: str) -> str:
    return f"webhooks/{name}"  # relative to SECRETS_PREFIX, as the webhook function reads it


def _secret_safe(handle: str) -> str:
    # Secret names allow letters, digits and /_+=.@-: a page name's spaces and the like become "-".
    return "".join(c if c.isalnum() or c in "/_+=.@-" else "-" for c in handle)


def config_text(accounts: list[Account], config_path: Path | None) -> str:
    """The configuration to replay with: the user's file, or the bundled example with the
    scenario's accounts. A user's file without `accounts` is a policy laid over that example
    (business hours, targets, templates...), its top-level sections replacing the example's.
    Either way it is validated exactly as a cold start would."""
    overlay: dict = {}
    if config_path is not None:
        text = config_path.read_text(encoding="utf-8")
        overlay = yaml.safe_load(text) or {}
        if not isinstance(overlay, dict) or "accounts" in overlay:
            parse_config(text, str(config_path))  # fail before anything runs, naming the field
            return text
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text(encoding="utf-8"))
    data.update(overlay)
    data["accounts"] = [
        {
            "channel": a.channel,
            "id": a.id,
            "handle": a.handle,
            "credentials_secret": f"{a.channel}/{_secret_safe(a.handle)}",  # relative to SECRETS_PREFIX
            **({"instance": a.instance} if a.instance else {}),
        }
        for a in accounts
    ]
    text = yaml.safe_dump(data, sort_keys=False)
    if config_path is not None:
        parse_config(text, f"{config_path} over the bundled example")
    return text


def build_world(
    networks: dict[str, SimulatedNetwork], text: str, scenario_accounts: list[Account], region: str
) -> list[WorldAccount]:
    """Register the brand accounts on their simulators, store their credentials, publish the config."""
    config = parse_config(text, "replay configuration")
    known = {(a.channel, a.id) for a in config.accounts}
    missing = [a for a in scenario_accounts if (a.channel, a.id) not in known]
    if missing:
        names = ", ".join(f"{a.channel}:{a.id} (@{a.handle})" for a in missing)
        raise ValueError(f"the scenario's account(s) {names} are not in the configuration's accounts")
    secrets = boto3.client("secretsmanager", region_name=region)
    world = []
    for account in config.accounts:
        network = networks.get(account.channel)
        if network is None:
            raise ValueError(f"no simulated network for {account.channel!r} (account {account.handle})")
        credentials = network.add_brand_account(account)
        name = secret_name(account.credentials_secret, SECRETS_PREFIX)
        secrets.create_secret(Name=name, SecretString=json.dumps(credentials))
        world.append(WorldAccount(account.channel, account.id, account.handle, name))
    for webhook in pushing_webhooks(networks, {account.channel for account in config.accounts}):
        # What an operator stores when connecting a network that pushes (Meta: app secret, verify token).
        secrets.create_secret(
            Name=SECRETS_PREFIX + webhook_secret_name(webhook.name), SecretString=json.dumps(webhook.secret)
        )
    # As `socialcare config publish` stores it: the functions read the compiled form, as in AWS.
    boto3.client("ssm", region_name=region).put_parameter(
        Name=CONFIG_PARAMETER, Value=compile_config(config), Type="String"
    )
    boto3.client("ses", region_name=region).verify_email_identity(EmailAddress=SENDER_EMAIL)
    return world
