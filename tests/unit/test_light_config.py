"""The functions' reader of the compiled configuration (config/light.py): without pydantic, it gives
the same values and the same answers as the validated configuration, and refuses a damaged form
naming the field."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from socialcare.config.compiled import compile_config
from socialcare.config.light import CompiledConfigError, LightModel, checksum, plain, read_light
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.config.shapes import SHAPES_FILE, render
from socialcare.domain.templates import ACK_KINDS
from socialcare.domain.triage import triage

EVERY_NETWORK = [
    {"channel": "x", "id": "9001", "handle": "AcmeCare", "credentials_secret": "x/a"},
    {"channel": "facebook", "id": "1234567890", "handle": "Acme Care", "credentials_secret": "fb/a"},
    {"channel": "instagram", "id": "1784140000", "handle": "acme.care", "credentials_secret": "ig/a"},
    {
        "channel": "wordpress",
        "id": "2",
        "instance": "https://blog.acme.example",
        "handle": "acme",
        "credentials_secret": "wp/a",
        "staff_user_ids": ["3", "7"],
    },
    {
        "channel": "bluesky",
        "id": "did:plc:abcdefghijklmnopqrstuvwx",
        "handle": "acme.bsky.social",
        "credentials_secret": "bsky/a",
    },
    {
        "channel": "mastodon",
        "id": "109",
        "handle": "acme@mastodon.social",
        "instance": "mastodon.social",
        "credentials_secret": "md/a",
        "target_minutes": 45,
    },
]


def everything() -> str:
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data["accounts"] = EVERY_NETWORK
    data["business_hours"] = {
        "timezone": "Europe/London",
        "weekly": {"mon": ["09:00-12:30", "13:30-17:00"], "sat": ["22:00-02:00"]},
        "holidays": {"country": "GB", "subdivision": "ENG", "dates": ["2026-12-24"]},
        "closures": [{"from": "2026-12-31T13:00:00Z", "to": "2027-01-02T09:00:00+01:00"}],
    }
    data["targets"] = {"urgent": {"minutes": 15, "around_the_clock": True}, "normal": {"minutes": 120}}
    data["targets_by_channel"] = {"x": {"normal": {"minutes": 30}}}
    data["triage"] = {"languages": {"en": {"add": {"urgent": ["recall notice"], "sentiment": {"meh": -1}}}}}
    data["incidents"] = {
        "status_page": "https://status.acme.example",
        "status_posts": {"enabled": True},
        "ladder": [{"after_minutes": 0, "email": ["care_team"]}, {"after_minutes": 15, "sms": ["on_call"]}],
        "after": "close",
    }
    return yaml.safe_dump(data, sort_keys=False)


CONFIGS = {"bundled example": lambda: BUNDLED_EXAMPLE.read_text(), "every network and policy": everything}


def test_the_shapes_file_describes_the_schema_as_it_is():
    assert SHAPES_FILE.read_text(encoding="utf-8") == render(), (
        "generated/config_shapes.json is out of date: run `make config-shapes` after changing the schema"
    )


@pytest.mark.parametrize("name", CONFIGS)
def test_the_light_configuration_holds_every_value_published(name):
    config = parse_config(CONFIGS[name](), name)
    text = compile_config(config)
    light = read_light(text)
    assert isinstance(light, LightModel)
    assert plain(light) == json.loads(text)["config"]
    assert [type(a).__name__ for a in light.accounts] == [type(a).__name__ for a in config.accounts]


@pytest.mark.parametrize("name", CONFIGS)
def test_the_light_configuration_answers_as_the_validated_one(name):
    config = parse_config(CONFIGS[name](), name)
    light = read_light(compile_config(config))
    assert light.ladder() == config.ladder()
    assert light.incident_ladder() == config.incident_ladder()
    assert light.summary_recipients() == config.summary_recipients()
    assert light.incidents.reply_variants() == config.incidents.reply_variants()
    assert light.incidents.detection.settings() == config.incidents.detection.settings()
    posts = light.incidents.status_posts
    assert posts.render(posts.text, "14:03", True) == config.incidents.status_posts.render(
        posts.text, "14:03", True
    )
    start = datetime(2026, 12, 24, 16, 50, tzinfo=UTC)
    for ours, theirs in zip(light.accounts, config.accounts, strict=True):
        assert ours.key == theirs.key
        assert light.account(ours.channel, ours.id) is ours
        assert light.target_for(ours) == config.target_for(theirs)
        for kind in ACK_KINDS:
            assert light.acknowledgements_for(ours).variants(kind) == config.acknowledgements_for(
                theirs
            ).variants(kind)
        for priority in ("urgent", "normal", "low"):
            for hours in range(0, 24 * 9, 7):  # across a holiday, the closures, nights and weekends
                at = start + timedelta(hours=hours)
                ours_due = light.response_policy(ours).due_at(at, priority)
                assert ours_due == config.response_policy(theirs).due_at(at, priority)
    texts = ["my card was charged twice!", "love it 😍", "recall notice on my kettle", "meh, where is it?"]
    assert [triage(t, light.triage.compiled) for t in texts] == [
        triage(t, config.triage.compiled) for t in texts
    ]


def test_the_light_configuration_cannot_be_changed():
    light = read_light(compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), "x")))
    with pytest.raises(AttributeError, match="read-only"):
        light.target_minutes = 5


def resealed(data: dict) -> str:
    """A compiled form changed by someone who also recomputed its checksum."""
    body = {key: data[key] for key in ("format", "schema", "config", "unset")}
    return json.dumps({"checksum": checksum(body), **body})


def compiled_data() -> dict:
    return json.loads(compile_config(parse_config(everything(), "x")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["accounts"][1].update(id=1234567890), r"accounts\.1\.id: expected text"),
        (
            lambda c: c["accounts"][0].update(channel="myspace"),
            r"accounts\.0: matches 0 of the possible kinds",
        ),
        (lambda c: c["limits"].update(sms_per_hour=3), r"limits\.sms_per_hour: not a field of Limits"),
        (lambda c: c["incidents"].pop("after"), r"incidents\.after: missing"),
        (lambda c: c["business_hours"]["closures"][0].update({"from": "soon"}), r"closures\.0\.from: not a"),
        (
            lambda c: c["escalation"][0].update(at_percent="half"),
            r"escalation\.0\.at_percent: expected a num",
        ),
        (lambda c: c["polling"].update(stall_alarm_minutes=True), r"stall_alarm_minutes: expected a whole"),
    ],
)
def test_a_damaged_value_is_refused_naming_its_field(change, message):
    data = compiled_data()
    change(data["config"])
    with pytest.raises(CompiledConfigError, match=message):
        read_light(resealed(data))


def test_a_form_for_another_schema_or_edited_by_hand_is_refused():
    data = compiled_data()
    with pytest.raises(CompiledConfigError, match="another version of the schema"):
        read_light(resealed({**data, "schema": "0" * 16}))
    edited = compile_config(parse_config(everything(), "x")).replace(
        '"retention_days":90', '"retention_days":9'
    )
    with pytest.raises(CompiledConfigError, match="checksum does not match"):
        read_light(edited)


def test_the_stacks_target_fills_only_what_the_yaml_left_out_within_its_bounds():
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data.pop("target_minutes")
    left_out = compile_config(parse_config(yaml.safe_dump(data), "x"))
    assert read_light(left_out, {"target_minutes": 25}).target_minutes == 25
    given = compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), "x"))
    assert read_light(given, {"target_minutes": 25}).target_minutes == 60
    with pytest.raises(CompiledConfigError, match="target_minutes: 0 is out of bounds"):
        read_light(left_out, {"target_minutes": 0})


def test_the_default_triage_phrases_pass_the_configurations_own_rules():
    from socialcare.config.phrases import DEFAULTS_FILE, default_phrases
    from socialcare.config.triage import PhraseLists

    raw = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    validated = {
        code: PhraseLists.model_validate(lists).model_dump(exclude_none=True) for code, lists in raw.items()
    }
    assert default_phrases() == validated


@pytest.mark.parametrize("function", ["acknowledge", "escalate", "poll_mentions", "webhook", "incidents"])
def test_a_function_starts_on_the_compiled_configuration_without_pydantic(tmp_path, function):
    """What keeps a cold start short: no validation library is imported to read the configuration."""
    root = Path(__file__).resolve().parents[2]
    config = tmp_path / "config.json"
    config.write_text(compile_config(parse_config(everything(), "x")))
    probe = (
        "import sys, app\n"
        "from socialcare.channels.registry import network\n"
        "[network(a.channel).adapter_class() for a in app.container.config.accounts]\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('pydantic'))\n"
        "print(type(app.container.config).__module__, loaded)"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": os.pathsep.join([str(root / "functions" / function), str(root / "shared")]),
        "CONFIG_FILE": str(config),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TICKETS_TABLE": "socialcare-tickets",
        "STATE_TABLE": "socialcare-state",
        "IDEMPOTENCY_TABLE": "socialcare-idempotency",
        "SENDER_EMAIL": "care@example.com",
        "SECRETS_PREFIX": "socialcare/test/",
        "POWERTOOLS_SERVICE_NAME": "socialcare",
        "POWERTOOLS_METRICS_NAMESPACE": "socialcare",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=root / "functions" / function,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split(None, 1) == ["socialcare.config.light", "[]\n"]
