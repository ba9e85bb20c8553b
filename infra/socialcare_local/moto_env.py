"""The process environment the local runtime needs: fake credentials, moto, scoped variables and
the virtual clock wired into the domain and into moto."""

import contextlib
import importlib
import importlib.util
import os
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .clock import VirtualClock


@contextlib.contextmanager
def local_aws(region: str = "us-east-1") -> Iterator[None]:
    """Fake credentials and moto's mock_aws for the duration; the environment is restored afterwards."""
    from moto import mock_aws

    settings = {
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",  # botocore >= 1.44.4 otherwise misses moto's streams
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "socialcare-local"),
    }
    with environ(settings, unset=("AWS_PROFILE",)), mock_aws():
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


def use_virtual_time(clock: "VirtualClock") -> Callable[[], None]:
    """Point socialcare.clock (the domain's only "now"), moto's DynamoDB timestamps (stream
    records' ApproximateCreationDateTime) and moto's SQS times at the virtual clock; returns the undo."""
    undo: list[Callable[[], None]] = []
    if importlib.util.find_spec("socialcare") is not None:
        with contextlib.suppress(ImportError):
            domain_clock = importlib.import_module("socialcare.clock")
            domain_clock.set_clock(clock.now)
            undo.append(lambda: domain_clock.set_clock(None))
    table_module = importlib.import_module("moto.dynamodb.models.table")
    if hasattr(table_module, "utcnow"):  # moto stamps naive UTC
        original = table_module.utcnow
        table_module.utcnow = lambda: clock.now().astimezone(UTC).replace(tzinfo=None)
        undo.append(lambda: setattr(table_module, "utcnow", original))

    # SQS: visibility timeouts, receive counts towards a redrive and retention run on the clock.
    sqs_module = importlib.import_module("moto.sqs.models")
    for name, now in (
        ("unix_time", lambda: clock.now().timestamp()),
        ("unix_time_millis", lambda: clock.now().timestamp() * 1000),
    ):
        if hasattr(sqs_module, name):
            original_time = getattr(sqs_module, name)
            setattr(sqs_module, name, now)
            undo.append(
                lambda name=name, original_time=original_time: setattr(sqs_module, name, original_time)
            )

    def restore() -> None:
        for step in reversed(undo):
            step()

    return restore
