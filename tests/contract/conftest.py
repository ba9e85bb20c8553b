"""The X simulator with @AcmeCare (9001) and @jane (42), through the contract harness."""

import pytest
from harnesses.x import XHarness


@pytest.fixture
def x():
    harness = XHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []
