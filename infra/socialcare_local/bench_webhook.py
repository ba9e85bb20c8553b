"""`make bench-webhook`: how soon a Facebook or Instagram comment is acknowledged once Meta
delivers its webhook, against how soon polling alone would.

The local stack runs the real functions: the simulated Meta signs and POSTs each comment to the
webhook function's URL; the function stores the ticket; the tickets stream (pumped at once after
the invocation, as Lambda's event source mapping does within a second) runs the acknowledge
function, which posts the reply to the simulated Meta. Measured in wall-clock time, from the
moment the delivery starts to the moment the simulator has our reply. The first comment pays the
functions' cold starts; the rest are warm. Polling alone answers at the next minute's poll: up to
60 s later, 30 s on average, plus the poll's own run (also measured here, warm).
"""

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from .replay.scenario import Account
from .stack import StackOptions, local_stack

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PAGE = Account(type="account", channel="facebook", id="1000001", handle="AcmeCare")
IG = Account(type="account", channel="instagram", id="17841400000000001", handle="acmecare")
POST, MEDIA = f"{PAGE.id}_77", "1799"
WAIT_LIMIT = 30.0  # seconds: a reply later than this is reported as missing


def _reply_seen(stack, comment_id: str, deadline: float) -> float | None:
    while time.perf_counter() < deadline:
        if any(c["parent_id"] == comment_id for c in stack.meta.created_comments()):
            return time.perf_counter()
        time.sleep(0.0005)
    return None


def _one(stack, network: str, n: int) -> float | None:
    now = stack.clock.now()
    started = time.perf_counter()
    if network == "facebook":
        made = stack.meta.comment(
            POST, f"{9000 + n}", f"{5000 + n}", f"Customer {n}", "Where is my order?", now
        )
    else:
        made = stack.meta.ig_comment(MEDIA, f"{18000 + n}", f"{5000 + n}", f"customer{n}", "Wrong size", now)
    seen = _reply_seen(stack, made, started + WAIT_LIMIT)
    stack.settle()  # the echo of our own reply, before the next comment
    return None if seen is None else seen - started


def _summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"   {name:<10} n={len(ms):<3} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms"
        f"   max {ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=40, help="warm comments per network")
    args = parser.parse_args()
    with local_stack([PAGE, IG], T0, StackOptions(validate_spec=False)) as stack:
        stack.meta.publish_page_post(PAGE.id, POST, "Our autumn menu", T0 - timedelta(hours=1))
        stack.meta.publish_media(IG.id, MEDIA, "New in store", T0 - timedelta(hours=1))
        cold = _one(stack, "facebook", 0)
        warm: dict[str, list[float]] = {"facebook": [], "instagram": []}
        missing = 0
        for n in range(1, args.comments + 1):
            for network in warm:
                stack.clock.advance(timedelta(seconds=5))  # apart, as customers write
                latency = _one(stack, network, n * 2 + (network == "instagram"))
                if latency is None:
                    missing += 1
                else:
                    warm[network].append(latency)
        webhook_runs = [r["seconds"] for r in stack.function_url.requests if r["method"] == "POST"]
        stack.minute()  # a poll, warm after the first one: what polling alone adds to its wait
        started = time.perf_counter()
        polled = stack.poll()
        poll_seconds = time.perf_counter() - started
        poll_errors = [error for account in polled["accounts"] for error in account["errors"]]
    print("Webhook to acknowledgement (delivery start -> our reply on the simulated Meta), wall clock")
    print(f"   first comment, cold starts included: {cold * 1000:.0f} ms" if cold else "   first: missing")
    for network, seconds in warm.items():
        if seconds:
            print(_summary(network, seconds))
    print(_summary("webhook", webhook_runs).replace("webhook   ", "webhook fn") + "  (its own invocations)")
    print(f"   missing replies: {missing}")
    print("Polling alone: acknowledged at the next minute's poll")
    print(
        f"   wait 0-60 s (30 s on average) + the poll's run ({poll_seconds * 1000:.0f} ms warm, 2 accounts)"
    )
    if poll_errors:
        print(f"   (the poll reported errors: {poll_errors[:3]})")


if __name__ == "__main__":
    main()
