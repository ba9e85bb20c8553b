"""Channel credentials from Secrets Manager, cached for a few minutes across warm invocations."""

import json
from typing import Any

from aws_lambda_powertools.utilities import parameters


class SecretError(RuntimeError):
    pass


def channel_credentials(
    secret_id: str, client: Any = None, max_age: int = 300, *, fresh: bool = False
) -> dict[str, str]:
    """`fresh` bypasses the cache (and refills it): after the network refused the cached credentials,
    a rotated secret takes effect without waiting for the cache to expire or a redeploy."""
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
