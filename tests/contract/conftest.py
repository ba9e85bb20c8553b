"""The networks' simulators with the brand's accounts, through their contract harnesses."""

import pytest
from harnesses.facebook import FacebookHarness
from harnesses.instagram import InstagramHarness
from harnesses.x import XHarness


@pytest.fixture
def x():
    harness = XHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []


@pytest.fixture
def facebook():
    harness = FacebookHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []


@pytest.fixture
def instagram():
    harness = InstagramHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []
