"""The deployed system on one machine: template.yaml on moto, the real handlers, a simulated X."""

from datetime import UTC, datetime, timedelta

import pytest

from socialcare_local.replay.scenario import Account
from socialcare_local.stack import StackOptions, local_stack

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BRAND = Account(type="account", channel="x", id="9001", handle="AcmeCare")


@pytest.fixture
def make_stack():
    """make_stack(**StackOptions fields) -> a running LocalStack at T0 (one at a time per test)."""
    contexts = []

    def make(**options):
        context = local_stack([BRAND], T0, StackOptions(**options))
        contexts.append(context)
        return context.__enter__()

    yield make
    for context in reversed(contexts):
        context.__exit__(None, None, None)


@pytest.fixture
def stack(make_stack):
    return make_stack()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)
