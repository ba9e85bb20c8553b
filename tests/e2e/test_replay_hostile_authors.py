"""Caps against abuse and cost, replayed through the real handlers: a hostile author flooding the
brand across many threads costs one public acknowledgement and one escalation ladder, not one per
post; each hostile author has their own cap; an ordinary customer is not affected by theirs."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialcare_local.replay.runner import replay
from socialcare_local.replay.scenario import Account, Mention, load_scenario

pytestmark = pytest.mark.e2e
HOSTILE_SCENARIO = Path(__file__).parents[2] / "infra/socialcare_local/scenarios/hostile_author.jsonl"
BRAND = Account(type="account", channel="x", id="9001", handle="AcmeCare")
T0 = datetime(2026, 11, 23, 14, 0, 5, tzinfo=UTC)
# The bundled configuration's ladder: e-mail at 50%, SMS at 80%, e-mail and SMS at 100%.
ONE_LADDER = {"emails": 2, "sms": 2}


def flood(author_id: str, handle: str, first_id: int, count: int, offset: timedelta) -> list[Mention]:
    """`count` mentions over the hour, a new thread every third post, each reply to the one before."""
    posts, thread, previous = [], None, None
    for n in range(count):
        post_id = str(first_id + n)
        if n % 3 == 0:
            thread, previous = post_id, None
        posts.append(
            Mention(
                type="mention",
                at=T0 + offset + timedelta(minutes=58) * n / count,
                channel="x",
                id=post_id,
                author_id=author_id,
                author_handle=handle,
                text=f"@AcmeCare you still haven't answered ({n + 1})",
                conversation_id=thread,
                in_reply_to_id=previous,
            )
        )
        previous = post_id
    return posts


def public_replies(report: dict) -> list[dict]:
    return [t for t in report["tickets"] if t["ack_post_id"]]


@pytest.fixture(scope="module")
def one_hostile_author():
    events = load_scenario(HOSTILE_SCENARIO)
    return events, replay(events)


def test_forty_mentions_in_an_hour_across_threads_cost_one_acknowledgement_and_one_ladder(one_hostile_author):
    events, report = one_hostile_author
    mentions = [e for e in events if isinstance(e, Mention)]
    assert len(mentions) == 40 and len({e.conversation_id for e in mentions}) == 10
    print(
        f"\n40 mentions, 10 threads, nobody answers: {len(public_replies(report))} public "
        f"acknowledgement(s), {len(report['emails'])} e-mails, {len(report['sms'])} SMS"
    )
    (ticket,) = report["tickets"]
    assert sorted(ticket["post_ids"]) == sorted(e.id for e in mentions), "every post kept, on one ticket"
    assert len(public_replies(report)) == 1 and report["summary"]["replies_posted_by_socialcare"] == 1
    assert {"emails": len(report["emails"]), "sms": len(report["sms"])} == ONE_LADDER
    assert sorted({e["level"] for e in ticket["escalations"]}) == [1, 2, 3]


def test_two_hostile_authors_have_a_cap_each_and_a_normal_customer_is_unaffected():
    normal = Mention(
        type="mention",
        at=T0 + timedelta(minutes=20),
        channel="x",
        id="1880000000000000001",
        author_id="42",
        author_handle="jane",
        text="@AcmeCare my parcel never arrived",
    )
    events = sorted(
        [
            *flood("666", "angry_anon", 1870000000000000001, 20, timedelta(0)),
            *flood("777", "other_troll", 1870000000000001001, 20, timedelta(seconds=40)),
            normal,
        ],
        key=lambda e: e.at,
    )
    report = replay([BRAND, *events])
    by_author = {t["author_id"]: t for t in report["tickets"]}
    assert len(report["tickets"]) == 3 and set(by_author) == {"666", "777", "42"}
    assert len(by_author["666"]["post_ids"]) == len(by_author["777"]["post_ids"]) == 20
    assert by_author["42"]["post_ids"] == [normal.id]
    assert all(ticket["ack_post_id"] for ticket in by_author.values()), "one acknowledgement each"
    assert len(public_replies(report)) == 3
    for ticket in by_author.values():  # each its own ladder (alerts due together share a digest)
        sent = Counter(e["via"] for e in ticket["escalations"])
        assert sent == {"email": ONE_LADDER["emails"], "sms": ONE_LADDER["sms"]}
    assert len(report["emails"]) <= 3 * ONE_LADDER["emails"] and len(report["sms"]) <= 3 * ONE_LADDER["sms"]
    assert all(sorted({e["level"] for e in t["escalations"]}) == [1, 2, 3] for t in by_author.values())
