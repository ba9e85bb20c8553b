"""`make bench-fanout`: 500 accounts polled within the minute, fanned out per account vs in series.

The real poll function (functions/poll_mentions) runs against the local stack (moto, the simulated X
and Meta), one SQS record per account as PollQueue delivers them, on as many threads as the
template reserves for it (PollConcurrency). The simulators answer every request after a random
200-800 ms, and a few accounts never answer in time (each request waits past the HTTP timeout).
The network settings are production's (HTTP_TIMEOUT_SECONDS 10, back-off from 0.5 s).

Printed: the time until every healthy account is polled and until the last poll ends, fanned out;
and the same polls in series as the single invocation of before did them (measured on a sample of
accounts, then scaled linearly: in series each account simply waits for all before it).

Threads share one process here, so what each poll spends in Python (moto, the handler) is
serialised by the interpreter lock; in Lambda every invocation has its own CPU. The fanned-out
time is therefore an upper bound.
"""

import argparse
import contextlib
import heapq
import json
import multiprocessing
import os
import random
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import Metrics

from .lambda_context import LambdaContext
from .moto_env import environ
from .replay.scenario import Account, Mention
from .stack import LocalStack, StackOptions, local_stack

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
POLL_FUNCTION = "PollMentionsFunction"
PRODUCTION_NETWORK = {"HTTP_TIMEOUT_SECONDS": "10", "RETRY_BASE_DELAY_SECONDS": "0.5"}


@dataclass
class Poll:
    account: str
    seconds: float
    ended_at: float  # since the fan-out started
    complete: bool  # every stream read
    cpu: float = 0.0  # CPU seconds this poll's thread spent (the emulation's share included)
    error: str | None = None


NETWORKS = ("x", "facebook", "instagram")
FIRST_ID = {"x": 10_001, "facebook": 2_000_001, "instagram": 3_000_001}
HANDLE = {"x": "Brand{:04d}", "facebook": "Brand {:04d}", "instagram": "brand{:04d}"}


def accounts(count: int, networks: tuple[str, ...] = NETWORKS) -> list[Account]:
    """`count` brand accounts, the networks taking turns."""
    brands = []
    for n in range(count):
        channel = networks[n % len(networks)]
        brands.append(
            Account(
                type="account",
                channel=channel,
                id=str(FIRST_ID[channel] + n),
                handle=HANDLE[channel].format(n),
            )
        )
    return brands


def new_mention(stack: LocalStack, brand: Account, n: int, text: str) -> None:
    """One customer's new post for the brand on its network (a comment under its post on Meta's)."""
    if brand.channel == "x":
        stack.mention(str(1_000_000 + n), str(500_000 + n), f"@{brand.handle} {text}", at=stack.clock.now())
        return
    thread = f"{brand.id}_{n}" if brand.channel == "facebook" else str(90_000_000 + n)
    comment = f"{n}_{n}" if brand.channel == "facebook" else str(80_000_000 + n)
    mention = Mention(
        type="mention",
        at=stack.clock.now(),
        channel=brand.channel,
        id=comment,
        author_id=str(700_000 + n),
        author_handle=f"customer{n}",
        text=text,
        conversation_id=thread,
    )
    stack.networks[brand.channel].publish(brand.channel, mention, brand.id)


def slow_network(
    stack: LocalStack, hanging: set[str], low: float, high: float, hang: float, seed: int
) -> None:
    """Every answer of every simulator waits: low-high seconds, or `hang` for the hanging accounts
    (a request naming one in its path: X's /2/users/<id>/, Meta's /<version>/<id>/...)."""
    rng, lock = random.Random(seed), threading.Lock()
    for sim in (stack.sim, stack.meta):
        serve = sim._serve

        def delayed(handler, _serve=serve) -> None:
            if any(part in hanging for part in handler.path.split("?")[0].split("/")):
                time.sleep(hang)
            else:
                with lock:
                    wait = rng.uniform(low, high)
                time.sleep(wait)
            _serve(handler)

        sim._serve = delayed


def thread_safe_metrics() -> None:
    """One Metrics set per process here, one per sandbox in Lambda: serialise its use."""
    lock = threading.RLock()
    for name in ("add_metric", "flush_metrics"):
        original = getattr(Metrics, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        setattr(Metrics, name, locked)


def record(stack: LocalStack, account: Account) -> dict[str, Any]:
    body = json.dumps({"account": f"{account.channel}#{account.id}", "minute": "2026-11-23T08:01:00Z"})
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "bench",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": str(stack.deployment.template.get_att("PollQueue", "Arn")),
        "awsRegion": stack.deployment.region,
    }


def poll_one(stack: LocalStack, handler, account: Account, started: float) -> Poll:
    fn = stack.deployment.function(POLL_FUNCTION)
    context = LambdaContext(
        function_name=fn.function_name,
        region=stack.deployment.region,
        account_id=stack.deployment.template.account_id,
        timeout_seconds=fn.timeout_seconds,
        memory_mb=fn.memory_mb,
        now=stack.clock.now(),
    )
    begin, cpu = time.monotonic(), time.thread_time()
    try:
        response = handler({"Records": [record(stack, account)]}, context)
        [result] = response["accounts"]
        complete, error = not result["failed"] and not result["paused_until"], None
    except Exception as exc:  # noqa: BLE001 - counted and printed
        complete, error = False, repr(exc)
    end = time.monotonic()
    key = f"{account.channel}#{account.id}"
    return Poll(key, end - begin, end - started, complete, time.thread_time() - cpu, error)


_FORKED: dict[str, Any] = {}  # what forked pollers inherit: the stack, the handler, the start


def _poll_forked(account: Account) -> Poll:
    return poll_one(_FORKED["stack"], _FORKED["handler"], account, _FORKED["started"])


def run(
    stack: LocalStack, handler, batch: list[Account], workers: int, mode: str = "threads"
) -> tuple[float, list[Poll]]:
    """Poll every account of `batch`, `workers` at a time. "processes": each poller is a forked
    copy of this process (its own interpreter and moto copy, as a Lambda sandbox has its own CPU;
    each account is polled by one copy only); the simulator keeps serving from this process."""
    started = time.monotonic()
    if mode == "processes":
        _FORKED.update(stack=stack, handler=handler, started=started)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            polls = list(pool.imap(_poll_forked, batch, chunksize=1))
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            polls = list(pool.map(lambda account: poll_one(stack, handler, account, started), batch))
    return time.monotonic() - started, polls


def poll_concurrency(stack: LocalStack) -> int:
    return int(stack.deployment.template.parameters["PollConcurrency"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--hanging", type=int, default=5, help="accounts whose network never answers in time")
    parser.add_argument("--latency", type=float, nargs=2, default=[0.2, 0.8], metavar=("LOW", "HIGH"))
    parser.add_argument(
        "--serial-sample", type=int, default=50, help="accounts polled in series (then scaled)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=None, help="default: the template's PollConcurrency"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--networks", nargs="+", choices=NETWORKS, default=list(NETWORKS))
    parser.add_argument(
        "--mode",
        choices=["processes", "threads"],
        default="processes",
        help="pollers as forked processes (own CPU time, as Lambda sandboxes) or threads of this one",
    )
    args = parser.parse_args()

    brands = accounts(args.accounts, tuple(args.networks))
    rng = random.Random(args.seed)
    hanging = {a.id for a in rng.sample(brands, args.hanging)}
    with local_stack(brands, T0, StackOptions(validate_spec=False)) as stack, environ(PRODUCTION_NETWORK):
        for n, brand in enumerate(brands):  # one new mention per account: the poll stores something
            new_mention(stack, brand, n, "where is my order")
        stack.settle()  # Meta's webhooks have stored theirs too: the polls read them as duplicates
        stack.clock.set(T0 + timedelta(minutes=1))
        threads = args.concurrency or poll_concurrency(stack)
        with contextlib.ExitStack() as held:
            fn = stack.deployment.function(POLL_FUNCTION)
            held.enter_context(environ(fn.environment))  # once for all threads (Lambda: per sandbox)
            handler = stack.deployment.load_handler(POLL_FUNCTION)
            thread_safe_metrics()
            slow_network(stack, hanging, *args.latency, hang=11.0, seed=args.seed)

            # Fanned out: every account, PollConcurrency at a time.
            fanout_seconds, polls = run(stack, handler, brands, threads, args.mode)
            # In series, as the single poll invocation did: a sample of healthy accounts, each with
            # a new mention again (the hanging ones' share is added from their measured polls).
            sample = rng.sample([a for a in brands if a.id not in hanging], args.serial_sample)
            for n, brand in enumerate(sample):
                new_mention(stack, brand, 100_000 + n, "still waiting")
            stack.settle()
            serial_seconds, serial_polls = run(stack, handler, sample, 1)

    report(args, threads, hanging, polls, fanout_seconds, serial_polls, serial_seconds)


def schedule(durations: list[float], slots: int) -> list[float]:
    """When each of these polls ends if each runs alone, `slots` at a time, in queue order."""
    free, ends = [0.0] * slots, []
    for seconds in durations:
        ends.append(free[0] + seconds)
        heapq.heapreplace(free, ends[-1])
    return ends


def report(
    args, threads: int, hanging: set[str], polls, fanout_seconds, serial_polls, serial_seconds
) -> None:
    healthy = [p for p in polls if p.account.split("#")[1] not in hanging]
    stuck = [p for p in polls if p.account.split("#")[1] in hanging]
    healthy_done = max(p.ended_at for p in healthy)
    alone = [p.seconds for p in serial_polls]  # each of these polls had the machine to itself
    # In series each account waits for all before it: the sample's mean per healthy account, plus
    # what each hanging account took.
    serial = statistics.fmean(alone) * len(healthy) + sum(p.seconds for p in stuck)
    # As Lambda runs it, every poll has its own CPU: the same polls as measured alone, PollConcurrency
    # at a time, the hanging ones where the queue had them.
    durations = [p.seconds if p in stuck else alone[n % len(alone)] for n, p in enumerate(polls)]
    ends = schedule(durations, threads)
    sandboxed = max(end for end, p in zip(ends, polls, strict=True) if p not in stuck)
    print(
        f"fan-out of polling: {args.accounts} accounts on {', '.join(args.networks)} "
        f"({args.hanging} never answering in time), "
        f"{args.latency[0]}-{args.latency[1]} s a request, {threads} polls at a time (PollConcurrency)"
    )
    print(
        f"  one healthy poll alone: mean {statistics.fmean(alone):.2f} s (sample of {len(alone)}, "
        f"{statistics.fmean(p.cpu for p in serial_polls):.2f} s of it CPU); a hanging account's poll "
        f"gives up after {max((p.seconds for p in stuck), default=0):.0f} s"
    )
    print(f"  in series, as the single invocation of before: {serial:.0f} s ({serial / 60:.1f} minutes)")
    print(
        f"  fanned out, measured here ({args.mode} on {os.cpu_count()} shared cores): every healthy "
        f"account polled after {healthy_done:.0f} s, the last poll ended after {fanout_seconds:.0f} s; "
        f"{sum(p.complete for p in healthy)}/{len(healthy)} healthy polls complete, "
        f"{sum(1 for p in polls if p.error)} errors"
    )
    print(
        f"    the emulation's CPU (moto, the handler) is what bounds it here: "
        f"{sum(p.cpu for p in polls):.0f} CPU-seconds for {len(polls)} polls"
    )
    print(
        f"  fanned out, each poll with its own CPU as in Lambda (the measured polls, {threads} at a time): "
        f"every healthy account polled after {sandboxed:.0f} s, the last (hanging) poll ended after "
        f"{max(ends):.0f} s"
    )
    print(
        f"  => every healthy account {serial / sandboxed:.0f}x sooner than in series "
        f"({serial / healthy_done:.1f}x even on this machine); "
        f"within the minute: {'yes' if sandboxed < 60 else 'NO'} in Lambda, "
        f"{'yes' if healthy_done < 60 else 'no'} here; in series: {'yes' if serial < 60 else 'no'}"
    )


if __name__ == "__main__":
    main()
