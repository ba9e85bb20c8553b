import pytest
import yaml

from socialcare.config import ConfigError, load_config
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config


def example() -> dict:
    return yaml.safe_load(BUNDLED_EXAMPLE.read_text())


def parse(data: dict):
    return parse_config(yaml.safe_dump(data), "test.yaml")


def test_the_bundled_example_is_valid_and_builds_the_default_ladder():
    config = load_config()
    ladder = config.ladder()
    assert [level.at_percent for level in ladder.levels] == [50, 80, 100]
    assert [(a.via, a.recipient) for a in ladder.level(3).alerts] == [
        ("email", "manager"),
        ("sms", "manager"),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["recipients"]["on_call"].update(sms="0415 555 0123"), "recipients.on_call.sms"),
        (lambda d: d["recipients"]["on_call"].update(sms="+1 415 555 0123"), "recipients.on_call.sms"),
        (lambda d: d["recipients"]["care_team"].update(email="not-an-address"), "recipients.care_team.email"),
        (lambda d: d["accounts"][0].update(id="AcmeCare"), "accounts.0.id"),
        (lambda d: d["accounts"][0].update(channel="myspace"), "accounts.0.channel"),
        (lambda d: d.update(target_minutes=0), "target_minutes"),
        (
            lambda d: d["escalation"].append({"at_percent": 120, "sms": ["nobody"]}),
            "unknown recipient 'nobody'",
        ),
        (lambda d: d["escalation"].reverse(), "increasing order"),
        (
            lambda d: d["acknowledgements"]["templates"].append("Hi {name} {ref}"),
            "acknowledgements.templates.3",
        ),
        (lambda d: d.update(retention_dayz=5), "retention_dayz"),
    ],
)
def test_a_bad_value_fails_naming_the_field(change, field):
    data = example()
    change(data)
    with pytest.raises(ConfigError) as failure:
        parse(data)
    assert field in str(failure.value)
    assert "test.yaml" in str(failure.value)


def test_target_minutes_from_the_stack_parameter_fills_in_only_when_the_file_is_silent(monkeypatch, tmp_path):
    data = example()
    monkeypatch.setenv("TARGET_MINUTES", "30")
    del data["target_minutes"]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_config(path=str(path)).target_minutes == 30
    data["target_minutes"] = 90
    path.write_text(yaml.safe_dump(data))
    assert load_config(path=str(path)).target_minutes == 90


def test_unreadable_sources_are_named(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration file .*missing.yaml"):
        load_config(path=str(tmp_path / "missing.yaml"))
    (tmp_path / "bad.yaml").write_text("accounts: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path=str(tmp_path / "bad.yaml"))


def test_a_config_in_ssm_wins_over_the_file():
    class FakeSsm:
        def get_parameter(self, Name, WithDecryption):
            data = example()
            data["target_minutes"] = 15
            return {"Parameter": {"Value": yaml.safe_dump(data)}}

    assert load_config(parameter_name="/socialcare/config", ssm_client=FakeSsm()).target_minutes == 15
