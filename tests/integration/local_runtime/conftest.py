"""Fixtures for the local runtime's tests: moto, a virtual clock and the fixture stack deployed."""

import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from socialcare_local.clock import VirtualClock
from socialcare_local.deployment import LocalDeployment, local_aws

FIXTURE = Path(__file__).parent / "fixture"
TEMPLATE = FIXTURE / "template.yaml"
START = datetime(2026, 11, 23, 14, 0, 30, tzinfo=UTC)

# The layer's spy module is read by the tests too. The deployment puts the layer on sys.path only
# while a handler runs; once imported here the module is cached, so both sides share its lists.
sys.path.insert(0, str(FIXTURE / "layer"))
import fixture_recorder  # noqa: E402

sys.path.remove(str(FIXTURE / "layer"))


@pytest.fixture
def aws():
    with local_aws():
        yield


@pytest.fixture
def clock():
    return VirtualClock(START)


@pytest.fixture
def deployment(aws, clock):
    fixture_recorder.COLD_STARTS.clear()
    fixture_recorder.CALLS.clear()
    with LocalDeployment(TEMPLATE, clock=clock) as deployed:
        yield deployed


@pytest.fixture
def table(deployment):
    return boto3.resource("dynamodb", region_name="us-east-1").Table(deployment.table_name("ItemsTable"))
