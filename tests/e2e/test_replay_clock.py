"""The replay jumps its virtual clock over minutes where nothing can happen, and reports exactly
what ticking every minute reports (timings and invocation counters aside); it plays every event of
a long history, and says in one line when it cannot."""

import copy
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from socialcare_local.cli import DEMO_SCENARIO
from socialcare_local.replay import world
from socialcare_local.replay.runner import ReplayIncomplete, ReplayOptions, replay
from socialcare_local.replay.scenario import Account, BrandPost, BrandReply, End, Mention, load_scenario

pytestmark = pytest.mark.e2e
SCENARIOS = Path(__file__).parents[2] / "infra/socialcare_local/scenarios"
X = Account(type="account", channel="x", id="9001", handle="AcmeCare")
FACEBOOK = Account(type="account", channel="facebook", id="104857600", handle="Acme")
PAGE_POST = "104857600_990001"
# What ticking and jumping may differ in: how long it took and how much was invoked to get there.
TIMINGS_AND_COUNTERS = ("wall_seconds", "invocations", "dynamodb_requests", "idle_invocations_skipped")


# Each replay's stack signs claim links with its own generated key and serves them on its own port.
CLAIM_LINK = re.compile(r"https?://[^\s\"'<>]*\?t=[A-Za-z0-9_.\-]+")


def _without_claim_links(value):
    if isinstance(value, str):
        return CLAIM_LINK.sub("<claim link>", value)
    if isinstance(value, list):
        return [_without_claim_links(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_claim_links(item) for key, item in value.items()}
    return value


def comparable(report: dict) -> dict:
    report = copy.deepcopy(report)
    for name in TIMINGS_AND_COUNTERS:
        report["summary"].pop(name)
    report["emails"] = _without_claim_links(report["emails"])
    report["sms"] = _without_claim_links(report["sms"])
    # A digest's key names the sweep that sent it (a random id): which alerts shared one is compared.
    keys: dict[str, int] = {}
    for ticket in report["tickets"]:
        for alert in ticket["escalations"]:
            if alert.get("digest"):
                alert["digest"] = keys.setdefault(alert["digest"], len(keys))
    return report


def assert_same_both_ways(events: list, **options) -> dict:
    jumped = replay(events, ReplayOptions(**options))
    ticked = replay(events, ReplayOptions(jump=False, **options))
    assert comparable(jumped) == comparable(ticked)
    assert ticked["summary"]["idle_invocations_skipped"] == {}
    skipped = jumped["summary"]["idle_invocations_skipped"]
    for function, count in ticked["summary"]["invocations"].items():  # nothing lost, nothing invented
        assert jumped["summary"]["invocations"].get(function, 0) + skipped.get(function, 0) == count
    return jumped


def x_mention(n: int, at: datetime, author: str) -> Mention:
    post = f"18900000000000{n:05d}"
    return Mention(
        type="mention",
        at=at,
        channel="x",
        id=post,
        author_id=str(700 + n),
        author_handle=author,
        text=f"@AcmeCare my parcel is lost ({n})",
        conversation_id=post,
    )


def facebook_comment(n: int, at: datetime) -> Mention:
    return Mention(
        type="mention",
        at=at,
        channel="facebook",
        id=f"990001_{100 + n}",
        author_id=str(9000 + n),
        author_handle=f"Customer {n}",
        text="Still waiting for my refund",
        conversation_id=PAGE_POST,
        in_reply_to_id=PAGE_POST,
        kind="comment",
    )


def staff_answer(mention: Mention, after: timedelta) -> BrandReply:
    if mention.channel == "facebook":
        post_id = f"990001_{int(mention.id.split('_')[1]) + 100}"
    else:
        post_id = "188" + mention.id[3:]
    return BrandReply(
        type="brand_reply",
        at=mention.at + after,
        channel=mention.channel,
        id=post_id,
        in_reply_to_id=mention.id,
        text="Sorry about that, we have sent you a message.",
    )


def sparse_night(start: datetime) -> list:
    """Four mentions over a night on X and Facebook, far apart: two answered, two escalated to the
    last level, one ticket crossing midnight."""
    late = x_mention(1, start + timedelta(minutes=3, seconds=20), "night_owl")
    comment = facebook_comment(2, start + timedelta(minutes=20))
    midnight = x_mention(3, start + timedelta(minutes=58, seconds=41), "insomniac")
    small_hours = facebook_comment(4, start + timedelta(hours=2, minutes=10))
    page_post = BrandPost(type="brand_post", at=start, channel="facebook", id=PAGE_POST, text="Winter sale")
    answers = [staff_answer(comment, timedelta(minutes=20)), staff_answer(midnight, timedelta(minutes=40))]
    return sorted([page_post, late, comment, midnight, small_hours, *answers], key=lambda event: event.at)


def test_the_bundled_morning_reports_the_same_when_the_clock_jumps():
    report = assert_same_both_ways(load_scenario(DEMO_SCENARIO))
    assert sum(report["summary"]["idle_invocations_skipped"].values()) > 0


def test_the_hostile_author_reports_the_same_when_the_clock_jumps():
    assert_same_both_ways(load_scenario(SCENARIOS / "hostile_author.jsonl"))


def test_a_sparse_night_on_x_and_facebook_reports_the_same_when_the_clock_jumps():
    start = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    report = assert_same_both_ways([X, FACEBOOK, *sparse_night(start)], validate_spec=False)
    assert report["summary"]["answered"] == 2
    assert report["summary"]["tickets_escalated_by_level"] == {"1": 3, "2": 2, "3": 2}


def test_acknowledgements_held_by_a_small_posting_limit_and_a_ceiling_report_the_same(tmp_path):
    """X allows two posts per 15 minutes and the account one alert an hour: acknowledgements are
    deferred and retried when the window reopens, alerts are held back and summarised once the hour
    is over; all at the same moments whether the clock ticks or jumps."""
    config = yaml.safe_load(world.config_text([X], None))
    config["limits"]["account_alerts_per_hour"] = 1
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    start = datetime(2026, 12, 2, 9, 25, 10, tzinfo=UTC)
    burst = [x_mention(10 + n, start + timedelta(seconds=20 * n), f"customer_{n}") for n in range(4)]
    answers = [staff_answer(mention, timedelta(minutes=33)) for mention in burst]  # after level 1
    report = assert_same_both_ways([X, *burst, *answers], post_limit=2, config_path=path, validate_spec=False)
    acked = sorted(t["acknowledged_at"] for t in report["tickets"] if t["acknowledged_at"])
    assert len(acked) == 4 and acked[2] >= "2026-12-02T09:40"  # the third waited for the window
    summaries = [email for email in report["emails"] if "ceilings of" in email["text"]]
    assert len(summaries) == 1 and summaries[0]["at"] >= "2026-12-02T10:00"  # once the hour is over


def test_a_month_of_sparse_history_is_played_to_the_last_event():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    mentions = [x_mention(20 + n, start + timedelta(days=3 * n, minutes=7 * n), f"c{n}") for n in range(11)]
    answers = [staff_answer(mention, timedelta(minutes=4)) for mention in mentions]
    report = replay([X, *sorted([*mentions, *answers], key=lambda event: event.at)])
    assert sorted(post for ticket in report["tickets"] for post in ticket["post_ids"]) == sorted(
        m.id for m in mentions
    )
    assert report["summary"]["answered"] == len(mentions)
    assert report["summary"]["virtual_minutes"] >= 30 * 24 * 60
    print(f"\na month, 11 mentions: {report['summary']['wall_seconds']} s")


def test_a_replay_stopped_by_its_bound_names_the_events_left_unplayed():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    mentions = [x_mention(40 + n, start + timedelta(days=2 * n), f"customer_{n}") for n in range(5)]
    with pytest.raises(ReplayIncomplete) as stopped:
        replay([X, *mentions], ReplayOptions(max_virtual_duration=timedelta(days=3)))
    message = str(stopped.value)
    assert "3 of 5 events were not played (mention 3)" in message and "\n" not in message


def test_a_replay_whose_tickets_cannot_settle_in_time_says_so():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(ReplayIncomplete, match="all 1 events were played, but 1 ticket"):
        replay([X, x_mention(60, start, "customer")], ReplayOptions(settle_limit=timedelta(minutes=10)))


def test_events_after_the_scenarios_end_line_are_an_error_not_a_quiet_summary():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    events = [X, x_mention(70, start, "early"), End(type="end", at=start + timedelta(minutes=5))]
    events.append(x_mention(71, start + timedelta(minutes=30), "late"))
    with pytest.raises(ReplayIncomplete, match="1 of 2 events were not played"):
        replay(events)
