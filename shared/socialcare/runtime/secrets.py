"""Channel credentials from Secrets Manager, cached for a few minutes across warm invocations.

The stack may read secrets under its own prefix only (SecretsPrefix, by default
socialcare/<stack name>/); the configuration names each account's secret relative to it.
"""

import json
import re
from typing import Any

from aws_lambda_powertools.utilities import parameters


class SecretError(RuntimeError):
    pass


_SECRET_ARN = re.compile(r"^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:(?P<name>.+)$")


def secret_name(configured: str, prefix: str) -> str:
    """The secret to read for an account's credentials_secret, given the stack's secrets prefix.

    "x/AcmeCare" is relative: it becomes prefix + "x/AcmeCare". A full name or ARN already under the
    prefix is used as it is. Anything else is a secret the stack's IAM role cannot read, so it is
    refused here with the prefix in the message rather than as an AccessDenied later.
    """
    arn = _SECRET_ARN.match(configured)
    full_name = arn.group("name") if arn else configured
    if full_name.startswith(prefix):
        return configured
    # The prefix's first segment ("socialcare/") marks a full name written for another prefix.
    looks_full = arn or configured.startswith("/") or configured.startswith(prefix.split("/")[0] + "/")
    if looks_full:
        raise SecretError(
            f"credentials_secret {configured} is outside this stack's secrets prefix {prefix} "
            f"(the only secrets its functions may read): name it relative to the prefix, "
            f"e.g. x/AcmeCare for {prefix}x/AcmeCare, or move the secret under the prefix"
        )
    return prefix + configured


def channel_credentials(
    configured: str, prefix: str, client: Any = None, max_age: int = 300, *, fresh: bool = False
) -> dict[str, str]:
    """The JSON object in the account's secret (credentials_secret, resolved against the prefix).

    `fresh` bypasses the cache (and refills it): after the network refused the cached credentials,
    a rotated secret takes effect without waiting for the cache to expire or a redeploy."""
    secret_id = secret_name(configured, prefix)
    try:
        provider = parameters.SecretsProvider(boto3_client=client) if client else None
        raw = (
            provider.get(secret_id, max_age=max_age, force_fetch=fresh)
            if provider
            else parameters.get_secret(secret_id, max_age=max_age, force_fetch=fresh)
        )
    except Exception as error:  # noqa: BLE001 - name the secret, never its value
        raise SecretError(f"cannot read secret {secret_id}: {type(error).__name__}") from None
    try:
        values = json.loads(raw)
    except (TypeError, ValueError):
        raise SecretError(f"secret {secret_id} is not a JSON object") from None
    if not isinstance(values, dict):
        raise SecretError(f"secret {secret_id} is not a JSON object")
    return {str(key): str(value) for key, value in values.items()}
