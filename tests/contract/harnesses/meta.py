"""What the Facebook and Instagram harnesses share: the Meta simulator on the contract's clock, its
faults, and the adapters' clock set to the simulator's (Meta's usage headers count minutes from now)."""

from socialcare import clock
from socialcare_local.networks.meta import (
    Fault,
    MetaSimulator,
    expected_meta_spec_dir,
    find_meta_specs,
    throttle,
)

from .base import NOW, ReadFault

FAULTS = {
    ReadFault.RATE_LIMITED: lambda: throttle(80001),
    ReadFault.SERVER_ERROR: lambda: Fault.status(503),
    ReadFault.TIMEOUT: lambda: Fault.timeout(3),
    ReadFault.MALFORMED: Fault.malformed,
    ReadFault.LOST_ANSWER: lambda: Fault.timeout(3, applied=True),
}
ANY_CALL = r"^/v[0-9]+\.[0-9]+/"


class MetaHarness:
    def __init__(self):
        specs = find_meta_specs()
        self.spec_missing = None if specs else f"Meta node specs not found at {expected_meta_spec_dir()}"
        self.sim = MetaSimulator(lambda: NOW, spec_dir=specs)

    def start(self) -> None:
        clock.set_clock(lambda: NOW)
        self.sim.start()

    def stop(self) -> list[str]:
        self.sim.stop()
        clock.set_clock(None)
        return self.sim.spec_violations

    def fail_next_read(self, fault: ReadFault) -> None:
        self.sim.fail_next("GET", ANY_CALL, FAULTS[fault]())

    def replies_created(self) -> list[tuple[str, str]]:
        return [(comment["id"], comment["parent_id"]) for comment in self.sim.created_comments()]
