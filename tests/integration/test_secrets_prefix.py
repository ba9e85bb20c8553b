"""The deployed functions read channel credentials under the stack's secrets prefix only
(SecretsPrefix, locally socialcare/socialcare-local/); an account configured with a secret outside
it fails naming the account and the prefix, while the other accounts go on."""

from datetime import timedelta

import boto3
import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE
from socialcare_local.replay import world


def test_the_functions_get_the_prefix_the_local_world_keeps_its_secrets_under(stack):
    for function in ("PollMentionsFunction", "AcknowledgeFunction", "EscalateFunction"):
        assert stack.deployment.environment(function)["SECRETS_PREFIX"] == "socialcare/socialcare-local/"
    assert world.SECRETS_PREFIX == "socialcare/socialcare-local/"
    names = [s["Name"] for s in boto3.client("secretsmanager").list_secrets()["SecretList"]]
    claim_key = stack.deployment.environment("ClaimFunction")["CLAIM_KEY_SECRET"]
    # The channel secrets under the prefix; besides them only the stack's own claim-link key.
    assert sorted(names) == sorted(["socialcare/socialcare-local/x/AcmeCare", claim_key])


def test_a_secret_outside_the_prefix_fails_that_account_naming_the_prefix(make_stack):
    config = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    config["accounts"] = [
        {"channel": "x", "id": "9001", "handle": "AcmeCare", "credentials_secret": "x/AcmeCare"},
        {"channel": "x", "id": "9002", "handle": "AcmeShop", "credentials_secret": "x/AcmeShop"},
    ]
    stack = make_stack(config_text=yaml.safe_dump(config))
    # An operator points the first account at a secret of a stack-less deployment (it exists).
    boto3.client("secretsmanager").create_secret(Name="socialcare/x/AcmeCare", SecretString="{}")
    config["accounts"][0]["credentials_secret"] = "socialcare/x/AcmeCare"
    boto3.client("ssm").put_parameter(
        Name=world.CONFIG_PARAMETER, Value=yaml.safe_dump(config), Overwrite=True
    )
    stack.deployment.cold_start()
    stack.sim.publish(
        post_id="1001", author_id="42", text="@AcmeShop hi", created_at=stack.clock.now(), mentions=["9002"]
    )
    stack.clock.advance(timedelta(minutes=1))
    result = stack.poll()
    assert result["retried"] == ["x#9001"]  # its message fails alone; SQS delivers it again
    failed = next(poll for poll in result["accounts"] if poll["account"] == "x#9001")
    assert (
        "credentials_secret socialcare/x/AcmeCare is outside this stack's secrets prefix "
        "socialcare/socialcare-local/" in failed["errors"][0]
    )
    assert [t["post_id"] for t in stack.tickets()] == ["1001"]
