"""`python -m socialcare_local.bench_meta_adapters`: what polling a Facebook page and an Instagram
account costs, through the real adapters against the Meta simulator.

Prints Graph calls per poll of an idle account (each one counts against Meta's per-account usage
limits), then a backlog of comments across many posts and media read as the poller reads it
(page after page from the stored cursor): calls, milliseconds, and the stored cursor's size.
Machine-dependent timings: figures for orientation, never asserted."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from socialcare import clock
from socialcare.channels.facebook.account import FacebookAccount
from socialcare.channels.facebook.adapter import FacebookAdapter
from socialcare.channels.instagram.account import InstagramAccount
from socialcare.channels.instagram.adapter import InstagramAdapter
from socialcare.channels.registry import network

from .networks.meta import MetaSimulator

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
PAGE, IG = "104857600", "17841400000000001"


def _poll(adapter, channel: str, cursors: dict) -> int:
    """One poll as the poller does it; returns the posts read."""
    read = 0
    for stream in network(channel).streams:
        for _ in range(1000):
            page = adapter.read(stream, cursors.get(stream), start_time=T0)
            read += len(page.posts)
            cursors[stream] = page.cursor
            if page.complete:
                break
    return read


def _measure(sim: MetaSimulator, adapter, channel: str, label: str) -> None:
    cursors: dict = {}
    before, start = len(sim.requests_log), time.perf_counter()
    read = _poll(adapter, channel, cursors)
    elapsed, calls = (time.perf_counter() - start) * 1000, len(sim.requests_log) - before
    size = max((len(cursor or "") for cursor in cursors.values()), default=0)
    print(f"{label:<44} {read:>6} posts {calls:>5} calls {elapsed:>8.0f} ms  cursor {size:>6} bytes")
    before = len(sim.requests_log)
    _poll(adapter, channel, cursors)
    print(f"{'  then an idle poll':<44} {'':>12} {len(sim.requests_log) - before:>5} calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20, help="page posts and media with comments")
    parser.add_argument("--comments", type=int, default=50, help="comments on each")
    args = parser.parse_args()
    clock.set_clock(lambda: NOW)
    sim = MetaSimulator(lambda: NOW, object_budget=10**6, app_budget=10**7)
    sim.add_page(PAGE, "Acme Care", "fb-token")
    sim.add_ig_user(IG, "acmecare", "ig-token")
    for p in range(args.posts):
        post = sim.publish_page_post(PAGE, str(880000 + p), f"post {p}", T0 - timedelta(days=1))
        media = sim.publish_media(IG, str(17900000000000000 + p), f"media {p}", T0 - timedelta(days=1))
        for c in range(args.comments):
            at = T0 + timedelta(seconds=7 * c + p)
            sim.comment(post, None, str(10**14 + c), "Customer", f"comment {c}", at)
            sim.ig_comment(media, None, str(10**16 + c), "customer", f"comment {c}", at)
    with sim:
        page = FacebookAccount(channel="facebook", id=PAGE, handle="Acme Care", credentials_secret="fb")  # noqa: S106
        ig = InstagramAccount(channel="instagram", id=IG, handle="acmecare", credentials_secret="ig")  # noqa: S106
        facebook = FacebookAdapter(page, {"page_access_token": "fb-token"}, base_url=sim.base_url)
        instagram = InstagramAdapter(ig, {"access_token": "ig-token"}, base_url=sim.base_url)
        total = args.posts * args.comments
        print(f"backlog: {args.posts} posts/media x {args.comments} comments = {total} per network")
        _measure(sim, facebook, "facebook", "Facebook: comments + tagged, first poll")
        _measure(sim, instagram, "instagram", "Instagram: comments, first poll")
    clock.set_clock(None)


if __name__ == "__main__":
    main()
