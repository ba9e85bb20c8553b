"""business_hours and targets in the configuration: what they build, and errors naming the field."""

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from socialcare.config import ConfigError
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config

OFFICE = {
    "timezone": "Europe/London",
    "weekly": {
        "mon": ["09:00-12:30", "13:30-18:00"],
        "tue": ["09:00-18:00"],
        "wed": ["09:00-18:00"],
        "thu": ["09:00-18:00"],
        "fri": ["09:00-17:00"],
    },
    "holidays": {"country": "GB", "subdivision": "ENG", "dates": ["2026-12-24"]},
}
TARGETS = {
    "urgent": {"minutes": 15, "around_the_clock": True},
    "normal": {"minutes": 60},
    "low": {"minutes": 480},
}
MONDAY_2355 = datetime(2026, 11, 23, 23, 55, tzinfo=UTC)


def example(**changes) -> dict:
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data.update(changes)
    return data


def parse(data: dict):
    # Through YAML text, as a deployment reads it: dates and times are YAML's own types.
    return parse_config(yaml.safe_dump(data), "test.yaml")


def test_without_business_hours_every_priority_runs_on_the_wall_clock_at_target_minutes():
    config = parse(example(target_minutes=45))
    policy = config.response_policy(config.accounts[0])
    for priority in ("urgent", "normal", "low"):
        assert policy.due_at(MONDAY_2355, priority) == MONDAY_2355 + timedelta(minutes=45)
    assert config.target_for(config.accounts[0]) == timedelta(minutes=45)


def test_the_issue_example_builds_a_business_clock_with_targets_per_priority():
    config = parse(example(business_hours=OFFICE, targets=TARGETS))
    policy = config.response_policy(config.accounts[0])
    assert policy.due_at(MONDAY_2355, "normal") == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert policy.due_at(MONDAY_2355, "urgent") == MONDAY_2355 + timedelta(minutes=15)
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    assert policy.opens_at(christmas_eve) == datetime(2026, 12, 29, 9, 0, tzinfo=UTC), "25th, weekend, 28th"
    assert config.response_policy(config.accounts[0]) is policy, "built once per cold start"


def test_an_account_and_a_network_override_the_global_targets_priority_by_priority():
    data = example(
        business_hours=OFFICE, targets=TARGETS, targets_by_channel={"x": {"normal": {"minutes": 30}}}
    )
    config = parse(data)
    policy = config.response_policy(config.accounts[0])
    assert (policy.target("normal").minutes, policy.target("low").minutes) == (30, 480)
    data["accounts"][0]["targets"] = {"low": {"minutes": 120}}
    data["accounts"][0]["business_hours"] = {
        "timezone": "America/New_York",
        "weekly": {"sat": ["10:00-14:00"]},
    }
    policy = parse(data).response_policy(parse(data).accounts[0])
    assert (policy.target("normal").minutes, policy.target("low").minutes) == (30, 120)
    assert policy.opens_at(MONDAY_2355) == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


def test_target_minutes_of_an_account_stays_its_normal_target_without_targets():
    data = example()
    data["accounts"][0]["target_minutes"] = 20
    config = parse(data)
    assert config.response_policy(config.accounts[0]).target("urgent").minutes == 20


def test_a_closure_takes_from_and_to():
    closure = {"from": "2026-11-24T12:00:00Z", "to": "2026-11-25T12:00:00Z"}
    config = parse(example(business_hours={**OFFICE, "closures": [closure]}))
    calendar = config.response_policy(config.accounts[0]).calendar
    assert calendar.next_open(datetime(2026, 11, 24, 13, 0, tzinfo=UTC)) == datetime(
        2026, 11, 25, 12, 0, tzinfo=UTC
    )


def with_hours(**changes) -> dict:
    return example(business_hours={**OFFICE, **changes})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            with_hours(timezone="Europe/Londres"),
            "business_hours.timezone: Value error, 'Europe/Londres' is not an IANA",
        ),
        (
            with_hours(weekly={"mon": ["09:00-25:00"]}),
            "business_hours.weekly: Value error, weekly.mon.0: '25:00'",
        ),
        (with_hours(weekly={"mon": ["9-18"]}), "weekly.mon.0: '9' is not a time like 09:30"),
        (with_hours(weekly={"mon": ["09:00-13:00", "12:00-18:00"]}), "weekly.mon.1: overlaps another window"),
        (with_hours(weekly={"fri": ["20:00-03:00"], "sat": ["02:00-05:00"]}), "weekly.sat.0: overlaps"),
        (with_hours(weekly={"monday": ["09:00-18:00"]}), "weekly.monday: not a day"),
        (with_hours(weekly={"mon": ["09:00-09:00"]}), "is an empty window"),
        (with_hours(weekly={}), "business_hours.weekly: Value error, no open hour in the week"),
        (
            with_hours(holidays={"country": "XX"}),
            "business_hours.holidays: Value error, unknown holidays: Country XX",
        ),
        (with_hours(holidays={"country": "GB", "subdivision": "XYZ"}), "does not have subdivision XYZ"),
        (with_hours(holidays={"subdivision": "ENG"}), "subdivision needs a country"),
        (with_hours(closures=[{"from": "2026-11-25T12:00:00Z", "to": "2026-11-24T12:00:00Z"}]), "closures.0"),
        (with_hours(lunch=["12:00-13:00"]), "business_hours.lunch: Extra inputs"),
        (example(targets={"normal": {"minutes": 0}}), "targets.normal.minutes"),
        (
            example(targets={"urgent": {"minutes": 15, "around_the_clock": "sometimes"}}),
            "targets.urgent.around_the_clock",
        ),
        (example(targets={"critical": {"minutes": 5}}), "targets.critical: Extra inputs"),
        (
            example(targets_by_channel={"myspace": {"normal": {"minutes": 5}}}),
            "targets_by_channel: Value error, 'myspace'",
        ),
    ],
)
def test_a_bad_business_hours_or_targets_value_fails_naming_the_field(data, message):
    with pytest.raises(ConfigError) as failure:
        parse(data)
    assert message in str(failure.value)


def test_an_accounts_own_bad_calendar_is_named_under_the_account():
    data = example()
    data["accounts"][0]["business_hours"] = {"timezone": "Mars/Olympus", "weekly": {"mon": ["09:00-17:00"]}}
    with pytest.raises(ConfigError, match=r"accounts\.0\.business_hours\.timezone"):
        parse(data)
