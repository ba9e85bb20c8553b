"""The networks' simulators with the brand's accounts: through their contract harnesses, and the
Meta simulator on its own (`sim`, `make_sim`) for the tests of the simulator itself."""

import pytest
from harnesses.facebook import FacebookHarness
from harnesses.instagram import InstagramHarness
from harnesses.x import XHarness
from meta_graph import T0, FakeClock, brand_world


def _started(harness_class):
    harness = harness_class()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []


@pytest.fixture
def x():
    yield from _started(XHarness)


@pytest.fixture
def facebook():
    yield from _started(FacebookHarness)


@pytest.fixture
def instagram():
    yield from _started(InstagramHarness)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def make_sim(clock):
    started = []

    def make(**kwargs):
        started.append(brand_world(clock, **kwargs))
        return started[-1]

    yield make
    for sim in started:
        sim.stop()
        assert sim.spec_violations == [], "tests that send invalid requests clear what they expect"


@pytest.fixture
def sim(make_sim):
    return make_sim()
