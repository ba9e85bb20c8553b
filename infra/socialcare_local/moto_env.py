"""The process environment the local runtime needs: fake credentials, moto, and scoped variables."""

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def local_aws(region: str = "us-east-1") -> Iterator[None]:
    """Fake credentials and moto's mock_aws for the duration; the environment is restored afterwards."""
    from moto import mock_aws

    settings = {
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",  # botocore >= 1.44.4 otherwise misses moto's streams
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "socialcare-local"),
    }
    with environ(settings, unset=("AWS_PROFILE",)):
        with mock_aws():
            yield


@contextlib.contextmanager
def environ(values: dict[str, str], unset: tuple[str, ...] = ()) -> Iterator[None]:
    """Set `values` (and remove `unset`) for the duration; previous values come back afterwards."""
    saved = {key: os.environ.get(key) for key in (*values, *unset)}
    os.environ.update(values)
    for key in unset:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
