"""`python -m socialcare_local.networks.meta.bench`: what one call to the Meta simulator costs.

Prints milliseconds per request on one keep-alive session (as an adapter makes them), for a page's
feed with nested comments and for a reply, with and without the spec checks, and the X simulator's
mentions timeline beside them for comparison. Machine-dependent: figures for orientation.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import requests

from ..x import XSimulator
from .server import MetaSimulator
from .spec import find_meta_specs

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PAGE, POST, TOKEN = "104857600", "104857600_880001", "bench-token"


def _per_request(call, count: int) -> float:
    call()  # connect and warm up
    start = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - start) / count * 1000


def _meta(count: int, checked: bool) -> dict[str, float]:
    with MetaSimulator(lambda: T0, spec_dir=find_meta_specs() if checked else None) as sim:
        sim.add_page(PAGE, "Acme", TOKEN)
        sim.publish_page_post(PAGE, POST, "Winter collection", T0 - timedelta(hours=1))
        for n in range(50):
            sim.comment(POST, f"880001_{n + 1}", str(100 + n), "Customer", f"comment {n}", T0)
        session, base = requests.Session(), f"{sim.base_url}/v25.0"
        feed = {
            "access_token": TOKEN,
            "fields": "id,message,comments.filter(stream).limit(25){id,message,from}",
        }
        reply = {"access_token": TOKEN, "message": "On it"}
        return {
            "GET feed with 25 nested comments": _per_request(
                lambda: session.get(f"{base}/{PAGE}/feed", params=feed), count
            ),
            "POST reply": _per_request(lambda: session.post(f"{base}/880001_1/comments", data=reply), count),
        }


def _x(count: int) -> float:
    with XSimulator(lambda: T0, read_limit=10**6) as sim:
        sim.add_user("9001", "AcmeCare")
        session, url = requests.Session(), f"{sim.base_url}/2/users/9001/mentions"
        return _per_request(lambda: session.get(url, headers={"Authorization": "Bearer sim-bearer"}), count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per figure")
    count = parser.parse_args().requests
    for checked in (False, True):
        if checked and find_meta_specs() is None:
            print("spec-checked figures skipped: no Meta node specs beside the clone")
            continue
        for name, ms in _meta(count, checked).items():
            print(f"meta {name:<34} {'spec-checked' if checked else 'unchecked':<13} {ms:6.2f} ms/request")
    print(f"x    {'GET mentions timeline':<34} {'unchecked':<13} {_x(count):6.2f} ms/request")


if __name__ == "__main__":
    main()
