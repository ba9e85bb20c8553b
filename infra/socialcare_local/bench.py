"""`make bench`: what the system costs, in counts that do not depend on the machine.

1. DynamoDB requests per new mention (poll + acknowledgement), measured on one mention after an
   idle baseline, operation by operation.
2. Replays of 1,000 and 10,000 synthetic mentions: wall time per mention (machine-dependent, for
   orientation), DynamoDB requests per mention, X requests per mention.
3. Items one escalation sweep reads with 10 tickets due as answered tickets pile up (0 to 10,000):
   it must stay at 10.

Triage quality (accuracy, precision and recall per class on labelled mentions) is measured by
`make bench-triage` (bench_triage.py).
"""

import argparse
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3

from .replay.runner import ReplayOptions, replay
from .replay.scenario import Account, BrandReply, End, Mention
from .stack import StackOptions, local_stack

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BRAND = Account(type="account", channel="x", id="9001", handle="AcmeCare")


def _dynamodb(counts: Counter) -> Counter:
    return Counter({op: n for (service, op), n in counts.items() if service == "dynamodb"})


FACEBOOK = Account(type="account", channel="facebook", id="104857600", handle="Acme")
INSTAGRAM = Account(type="account", channel="instagram", id="17841400000000001", handle="acme")
# One new mention per network, as a customer posts it (a Facebook or Instagram comment under the
# brand's post; Meta's webhook announces it at once, and the poll reads it too).
NEW_MENTIONS = {
    "x": Mention(
        type="mention",
        at=T0,
        channel="x",
        id="1001",
        author_id="42",
        author_handle="jane",
        text="@AcmeCare my order never came",
    ),
    "facebook": Mention(
        type="mention",
        at=T0,
        channel="facebook",
        id="880001_101",
        author_id="7001",
        author_handle="Jane Doe",
        text="My order never came",
        conversation_id="104857600_880001",
    ),
    "instagram": Mention(
        type="mention",
        at=T0,
        channel="instagram",
        id="17950000000000001",
        author_id="8001",
        author_handle="jane.d",
        text="@acme my order never came",
        conversation_id="17900000000000001",
    ),
}


def requests_per_new_mention() -> None:
    brands = {account.channel: account for account in (BRAND, FACEBOOK, INSTAGRAM)}
    lines = ["1. DynamoDB requests per new mention (a minute with one new mention, minus an idle minute)"]
    with local_stack(list(brands.values()), T0, StackOptions(validate_spec=False)) as stack:
        stack.minute()  # cold starts and the first (empty) polls
        for channel, mention in NEW_MENTIONS.items():
            stack.deployment.reset_request_counts()
            stack.minute()
            idle = _dynamodb(stack.deployment.request_counts())
            stack.deployment.reset_request_counts()
            mention = mention.model_copy(update={"at": stack.clock.now()})
            stack.networks[channel].publish(channel, mention, brands[channel].id)
            stack.settle()  # Facebook and Instagram: the webhook stores it and it is acknowledged
            stack.minute()  # the poll reads it again (a duplicate), the sweeps run
            busy = _dynamodb(stack.deployment.request_counts())
            by_function = Counter()
            for name, _ in stack.deployment.invocations.items():
                by_function[name] = sum(_dynamodb(stack.deployment.request_counts(name)).values())
            extra = busy - idle
            lines.append(
                f"   {channel:<10} idle minute {sum(idle.values())}, with the mention {sum(busy.values())}"
                f" => {sum(extra.values())} for the mention: "
                + ", ".join(f"{op} {n}" for op, n in sorted(extra.items()))
            )
            lines.append(f"   {'':<10} by function: {dict(+by_function)}")
    print("\n".join(lines))  # after the stack: it sends the functions' output to their log


def synthetic_scenario(count: int, per_minute: int = 20, answered: float = 0.7, seed: int = 1) -> list:
    rng = random.Random(seed)
    events: list = [BRAND]
    replies = []
    for n in range(count):
        at = T0 + timedelta(seconds=int(n * 60 / per_minute) + 5)
        post_id = str(10_000_000 + n)
        events.append(
            Mention(
                type="mention",
                at=at,
                channel="x",
                id=post_id,
                author_id=str(100_000 + n),
                author_handle=f"cust{n}"[:15],
                text=f"@AcmeCare question number {n}",
            )
        )
        if rng.random() < answered:
            replies.append(
                BrandReply(
                    type="brand_reply",
                    at=at + timedelta(minutes=rng.randint(5, 40)),
                    channel="x",
                    id=str(20_000_000 + n),
                    in_reply_to_id=post_id,
                    text="On it!",
                )
            )
    timed = sorted([*events[1:], *replies], key=lambda e: e.at)
    return [BRAND, *timed, End(type="end", at=timed[-1].at + timedelta(minutes=61))]


def replay_costs(count: int) -> None:
    events = synthetic_scenario(count)
    started = time.perf_counter()
    report = replay(events, ReplayOptions(post_limit=1_000_000, validate_spec=False))
    wall = time.perf_counter() - started
    summary = report["summary"]
    mentions = summary["mentions"]
    print(
        f"   {count:>6} mentions: {summary['tickets']} tickets, {summary['acknowledged']} acknowledged, "
        f"{summary['emails']} e-mails, {summary['sms']} SMS over {summary['virtual_minutes']} virtual minutes"
    )
    print(
        f"          wall {wall:.1f} s = {wall / mentions * 1000:.1f} ms per mention; "
        f"DynamoDB {summary['dynamodb_requests'] / mentions:.1f} requests per mention "
        "(all functions, idle sweeps included); "
        f"duplicates on X: {summary['posts_with_more_than_one_acknowledgement']}"
    )


def sweep_reads(answered_counts: list[int], due: int = 10) -> None:
    print(f"3. Items one escalation sweep reads with {due} tickets due")
    for answered in answered_counts:
        with local_stack([BRAND], T0, StackOptions(validate_spec=False)) as stack:
            _seed(stack, answered, due)
            stack.clock.set(T0 + timedelta(minutes=31))
            stack.deployment.reset_request_counts()
            result = stack.escalate()
            requests = sum(_dynamodb(stack.deployment.request_counts("EscalateFunction")).values())
        print(
            f"   {answered:>6} answered tickets in the table: items read {result['items_read']}, "
            f"tickets due {result['due']}, alerts sent {result['alerts_sent']}, DynamoDB requests {requests}"
        )


def _seed(stack, answered: int, due: int) -> None:
    """Answered tickets (out of the sparse index) and due ones, written as the poller writes them."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = stack.deployment.table_name("TicketsTable")
    created = T0.strftime("%Y-%m-%dT%H:%M:%SZ")
    items = []
    for n in range(answered + due):
        open_ = n >= answered
        item = {
            "pk": {"S": f"TICKET#x#{n}"},
            "sk": {"S": "TICKET"},
            "kind": {"S": "ticket"},
            "ticket_id": {"S": f"x:{n}"},
            "ref": {"S": "BENCH"},
            "channel": {"S": "x"},
            "account_id": {"S": "9001"},
            "post_id": {"S": str(n)},
            "post_ids": {"L": [{"S": str(n)}]},
            "author_id": {"S": str(50_000 + n)},
            "author_handle": {"S": f"c{n}"},
            "text": {"S": "@AcmeCare help"},
            "conversation_id": {"S": str(n)},
            "created_at": {"S": created},
            "detected_at": {"S": created},
            "due_at": {"S": (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")},
            "status": {"S": "open" if open_ else "answered"},
            "ack_state": {"S": "posted"},
        }
        if open_:
            step = (T0 + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
            item.update(esc_bucket={"S": "OPEN"}, next_step_at={"S": step}, next_level={"N": "1"})
        else:
            item.update(human_replied_at={"S": created})
        items.append({"PutRequest": {"Item": item}})
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: items[start : start + 25]})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000], help="replay sizes")
    parser.add_argument("--answered", type=int, nargs="*", default=[0, 1_000, 10_000])
    args = parser.parse_args()
    requests_per_new_mention()
    print("2. Replays (20 mentions a minute, 70% answered by staff within 5-40 minutes;")
    print("   X's posting limit lifted so the figures measure socialcare, not X's window)")
    for size in args.sizes:
        replay_costs(size)
    sweep_reads(args.answered)


if __name__ == "__main__":
    main()
