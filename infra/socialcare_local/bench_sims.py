"""`make bench-sims`: milliseconds per request against the simulated X and Meta over the real
`requests` path (one keep-alive session), as the simulators answer now and as they answered before:
Nagle's algorithm on and each answer written in two pieces (headers, then body), so every small
answer waited for the client's delayed ACK.

X is measured with and without its spec checks (openapi-core validates every exchange when the
official description is beside the clone), so the stall and the checking cost are told apart.
"""

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

import requests

from .networks.meta import MetaSimulator
from .networks.meta.server import _Handler as MetaHandler
from .networks.x import XSimulator, find_x_spec
from .networks.x.server import _Handler as XHandler

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BRAND, CUSTOMER, PAGE, PAGE_TOKEN = "9001", "42", "1000001", "page-token"


class _StallingX(XHandler):
    wbufsize, tcp_nodelay = 0, False  # as before: headers and body in two writes, Nagle on


class _StallingMeta(MetaHandler):
    wbufsize, tcp_nodelay = 0, False


def _x(spec: bool) -> tuple[XSimulator, str, dict]:
    sim = XSimulator(lambda: T0, spec_path=find_x_spec() if spec else None)
    sim.add_user(BRAND, "AcmeCare")
    sim.add_user(CUSTOMER, "jane")
    for n in range(5):
        sim.publish(
            post_id=str(1001 + n),
            author_id=CUSTOMER,
            text=f"@AcmeCare order {n} is late",
            created_at=T0 - timedelta(minutes=n + 1),
            mentions=[BRAND],
        )
    return sim, f"/2/users/{BRAND}/mentions", {"Authorization": "Bearer sim-bearer"}


def _meta() -> tuple[MetaSimulator, str, dict]:
    sim = MetaSimulator(lambda: T0)
    sim.add_page(PAGE, "Acme", PAGE_TOKEN)
    sim.publish_page_post(PAGE, f"{PAGE}_77", "Our winter collection is here!", T0 - timedelta(hours=1))
    return sim, f"/v25.0/{PAGE}/feed?access_token={PAGE_TOKEN}", {}


def _ms_per_request(sim, path: str, headers: dict, stalling: type | None, requests_count: int) -> float:
    sim.start()
    try:
        if stalling is not None:
            sim._server.RequestHandlerClass = stalling  # noqa: SLF001 - the benchmark's "before"
        with requests.Session() as session:
            session.get(sim.base_url + path, headers=headers, timeout=10).raise_for_status()  # warm
            timings = []
            for _ in range(requests_count):
                started = time.perf_counter()
                session.get(sim.base_url + path, headers=headers, timeout=10).raise_for_status()
                timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1000
    finally:
        sim.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per variant (default 200)")
    args = parser.parse_args(argv)
    cases = [("X, no spec checks", lambda: _x(False), _StallingX)]
    if find_x_spec() is not None:
        cases.append(("X, spec checked", lambda: _x(True), _StallingX))
    cases.append(("Meta", _meta, _StallingMeta))
    print(f"median ms per request over one keep-alive session ({args.requests} requests each)")
    print(f"{'simulator':<20} {'before (Nagle)':>15} {'now':>8} {'requests/s now':>15}")
    for name, build, stalling in cases:
        before = _ms_per_request(*build(), stalling, args.requests)
        now = _ms_per_request(*build(), None, args.requests)
        print(f"{name:<20} {before:>15.2f} {now:>8.2f} {1000 / now:>15.0f}")


if __name__ == "__main__":
    main()
