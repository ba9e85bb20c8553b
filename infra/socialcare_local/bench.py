"""`make bench`: what the system costs, in counts that do not depend on the machine.

1. DynamoDB requests and request units per new mention (poll + acknowledgement) on each network,
   measured on one mention after an idle baseline, operation by operation.
2. A mention that staff answer, all-in: 100 X mentions each answered five minutes later, minus the
   same span idle: requests, read and write units, invocations per mention.
3. Replays: a dense scenario (1,000 and 10,000 synthetic mentions) and a sparse one (a few mentions
   over nine days): wall time per mention and per virtual day (machine-dependent, for orientation),
   DynamoDB requests and units per mention.
4. Items one escalation sweep reads with 10 tickets due as answered tickets pile up (0 to 10,000):
   it must stay at 10.
5. The monthly AWS cost at list prices for 10,000 and 1,000,000 mentions, by service.

Request units are DynamoDB on-demand's, metered by the local runtime (capacity.py says how).

Triage quality (accuracy, precision and recall per class on labelled mentions) is measured by
`make bench-triage` (bench_triage.py).
"""

import argparse
import contextlib
import random
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE
from socialcare.config.schema import Limits
from socialcare.services.escalating import Escalator

from . import bench_cost
from .capacity import Usage, total
from .replay.runner import ReplayOptions, replay
from .replay.scenario import Account, BrandReply, End, Mention
from .stack import StackOptions, local_stack

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BRAND = Account(type="account", channel="x", id="9001", handle="AcmeCare")


def _dynamodb(counts: Counter) -> Counter:
    return Counter({op: n for (service, op), n in counts.items() if service == "dynamodb"})


FACEBOOK = Account(type="account", channel="facebook", id="104857600", handle="Acme")
INSTAGRAM = Account(type="account", channel="instagram", id="17841400000000001", handle="acme")
MASTODON = Account(
    type="account", channel="mastodon", id="109876543210000001", handle="acme", instance="mastodon.social"
)
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
    "mastodon": Mention(
        type="mention",
        at=T0,
        channel="mastodon",
        id="117664802406400001",
        author_id="110000000000000501",
        author_handle="jane@fosstodon.org",
        text="@acme@mastodon.social my order never came",
    ),
}


def requests_per_new_mention() -> None:
    brands = {account.channel: account for account in (BRAND, FACEBOOK, INSTAGRAM, MASTODON)}
    lines = [
        "1. DynamoDB requests and request units per new mention"
        " (a minute with one new mention, minus an idle minute)"
    ]
    with local_stack(list(brands.values()), T0, StackOptions(validate_spec=False)) as stack:
        stack.minute()  # cold starts and the first (empty) polls
        for channel, mention in NEW_MENTIONS.items():
            stack.deployment.reset_request_counts()
            stack.minute()
            idle = _dynamodb(stack.deployment.request_counts())
            idle_units = total(stack.deployment.capacity_used())
            stack.deployment.reset_request_counts()
            mention = mention.model_copy(update={"at": stack.clock.now()})
            stack.networks[channel].publish(channel, mention, brands[channel].id)
            stack.settle()  # Facebook and Instagram: the webhook stores it and it is acknowledged
            stack.minute()  # the poll reads it again (a duplicate), the sweeps run
            busy = _dynamodb(stack.deployment.request_counts())
            units = total(stack.deployment.capacity_used()) - idle_units
            by_function = Counter()
            for name, _ in stack.deployment.invocations.items():
                by_function[name] = sum(_dynamodb(stack.deployment.request_counts(name)).values())
            extra = busy - idle
            lines.append(
                f"   {channel:<10} idle minute {sum(idle.values())}, with the mention {sum(busy.values())}"
                f" => {sum(extra.values())} for the mention: "
                + ", ".join(f"{op} {n}" for op, n in sorted(extra.items()))
            )
            lines.append(f"   {'':<10} {_units(units)}; by function: {dict(+by_function)}")
    print("\n".join(lines))  # after the stack: it sends the functions' output to their log


def _units(usage: Usage) -> str:
    return (
        f"read units {usage.read_units:g}, write units {usage.all_write_units:g}"
        f" ({usage.write_units:g} table + {usage.index_write_units:g} index)"
    )


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


def sparse_scenario(count: int = 25, days: int = 9, seed: int = 7) -> list:
    """`count` X mentions at random moments over `days` days, most answered by staff within hours."""
    rng = random.Random(seed)
    moments = sorted(T0 + timedelta(seconds=rng.randrange(days * 86_400)) for _ in range(count))
    events: list = []
    for n, at in enumerate(moments):
        post_id = str(30_000_000 + n)
        events.append(
            Mention(
                type="mention",
                at=at,
                channel="x",
                id=post_id,
                author_id=str(300_000 + n),
                author_handle=f"sparse{n}",
                text=f"@AcmeCare still waiting, case {n}",
            )
        )
        if rng.random() < 0.8:
            reply_at = at + timedelta(minutes=rng.randint(5, 240))
            events.append(
                BrandReply(
                    type="brand_reply",
                    at=reply_at,
                    channel="x",
                    id=str(40_000_000 + n),
                    in_reply_to_id=post_id,
                    text="Sorry, looking into it",
                )
            )
    timed = sorted(events, key=lambda e: e.at)
    return [BRAND, *timed, End(type="end", at=timed[-1].at + timedelta(minutes=61))]


def replay_costs(name: str, events: list) -> tuple[float, float]:
    """Prints the replay's figures; returns its e-mails (recipients) and SMS parts per mention."""
    stacks: list = []  # the replay's stack, for its request units

    def keep(stack) -> None:
        if not stacks:
            stacks.append(stack)

    in_scenario = sum(isinstance(e, Mention) for e in events)
    started = time.perf_counter()
    report = replay(events, ReplayOptions(post_limit=1_000_000, validate_spec=False, on_tick=keep))
    wall = time.perf_counter() - started
    summary = report["summary"]
    mentions = summary["mentions"] or 1
    days = summary["virtual_minutes"] / 1440
    units = total(stacks[0].deployment.capacity_used()) / mentions if stacks else Usage()
    print(
        f"   {name}: {summary['mentions']} of {in_scenario} mentions played, {summary['tickets']} tickets,"
        f" {summary['acknowledged']} acknowledged, {summary['emails']} e-mails, {summary['sms']} SMS"
        f" over {summary['virtual_minutes']} virtual minutes ({days:.2f} days)"
    )
    print(
        f"      wall {wall:.1f} s = {wall / mentions * 1000:.1f} ms per mention,"
        f" {wall / days if days else 0:.1f} s per virtual day; per mention (all functions, idle sweeps"
        f" included): DynamoDB {summary['dynamodb_requests'] / mentions:.1f} requests, {_units(units)};"
        f" duplicates on X: {summary['posts_with_more_than_one_acknowledgement']}"
    )
    emails = sum(len(e["to"].split(",")) for e in report["emails"])
    return emails / mentions, sum(bench_cost.sms_parts(s["text"]) for s in report["sms"]) / mentions


@contextlib.contextmanager
def _digests(on: bool):
    """The escalator combining alerts due together into digests (as deployed), or not (as before)."""
    defaults = Escalator.__init__.__kwdefaults__
    was = defaults["combine"]
    defaults["combine"] = on
    try:
        yield
    finally:
        defaults["combine"] = was


def _alert_volumes(
    events: list, sms_budget: int, digests: bool = False
) -> tuple[int, int, int, int, dict[str, datetime]]:
    """(mentions, e-mail recipients, SMS, SMS parts billed, each ticket's first alert) of one replay
    with this budget: messages sent (a digest is one), not alerts."""
    limits = yaml.safe_load(BUNDLED_EXAMPLE.read_text(encoding="utf-8"))["limits"]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as overlay, _digests(digests):
        yaml.safe_dump({"limits": {**limits, "sms_per_recipient_per_hour": sms_budget}}, overlay)
        overlay.flush()
        options = ReplayOptions(config_path=Path(overlay.name), post_limit=1_000_000, validate_spec=False)
        report = replay(events, options)
    first = {
        t["ticket_id"]: min(datetime.fromisoformat(e["at"]) for e in t["escalations"])
        for t in report["tickets"]
        if t["escalations"]
    }
    emails = sum(len(e["to"].split(",")) for e in report["emails"])
    parts = sum(bench_cost.sms_parts(sms["text"]) for sms in report["sms"])
    return report["summary"]["mentions"] or 1, emails, len(report["sms"]), parts, first


def sms_budget_volumes(size: int) -> None:
    """Messages (e-mails, SMS) per 10,000 mentions with the SMS budget lifted (as before it existed)
    and at its default, then with digests too, and how much later any ticket's first alert came
    than before either (the goal: never)."""
    budget = Limits().sms_per_recipient_per_hour
    print(f"5. Messages per 10,000 mentions (dense, {size:,} mentions), before and after the SMS budget")
    events = synthetic_scenario(size)
    figures = {}
    for label, limit, digests in (
        ("before (no budget, no digests)", 10_000, False),
        (f"after ({budget} SMS per recipient an hour)", budget, False),
        ("with digests too (one message per recipient, way and sweep)", budget, True),
    ):
        mentions, emails, sms, parts, first = _alert_volumes(events, limit, digests)
        figures[label] = first
        per = 10_000 / mentions
        print(
            f"   {label}: {emails * per:,.0f} e-mails, {sms * per:,.0f} SMS"
            f" ({parts * per:,.0f} parts billed: every SMS carries its claim link)"
        )
    before, *later = figures.values()
    for name, after in zip(("budget", "budget and digests"), later, strict=True):
        lateness = max(((after[t] - before[t]).total_seconds() for t in before if t in after), default=0.0)
        missing = sum(t not in after for t in before)
        print(
            f"   first-alert lateness with the {name}, max over tickets: {lateness:.0f} s;"
            f" alerted before, not after: {missing}"
        )


def sweep_reads(answered_counts: list[int], due: int = 10) -> None:
    print(f"4. Items one escalation sweep reads with {due} tickets due")
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


SECOND_BRAND = Account(type="account", channel="x", id="9002", handle="AcmeHelp")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000], help="dense replay sizes")
    parser.add_argument(
        "--answered", type=int, nargs="*", default=[0, 1_000, 10_000], help="answered tickets for section 4"
    )
    parser.add_argument("--all-in", type=int, default=100, help="mentions answered by staff in section 2")
    parser.add_argument("--sparse-mentions", type=int, default=25, help="mentions of the sparse replay")
    parser.add_argument("--sparse-days", type=int, default=9, help="days the sparse replay spans")
    parser.add_argument("--budget-size", type=int, default=200, help="dense replay size for section 5")
    args = parser.parse_args()
    requests_per_new_mention()
    busy, idle, log, memory = bench_cost.answered_all_in(BRAND, T0, args.all_in)
    bench_cost.print_answered(busy, idle, args.all_in)
    print("3. Replays (X's posting limit lifted so the figures measure socialcare, not X's window)")
    alerts = []
    for size in args.sizes:
        name = f"dense, {size:,} mentions (20 a minute, 70% answered in 5-40 minutes)"
        alerts.append(replay_costs(name, synthetic_scenario(size)))
    if args.sparse_mentions:
        sparse = sparse_scenario(args.sparse_mentions, args.sparse_days)
        replay_costs(f"sparse, {args.sparse_mentions} mentions over {args.sparse_days} days", sparse)
    sweep_reads(args.answered)
    sms_budget_volumes(args.budget_size)
    bench_cost.print_cost(
        [BRAND, SECOND_BRAND], T0, busy, idle, log, memory, args.all_in, alerts[0] if alerts else None
    )


if __name__ == "__main__":
    main()
