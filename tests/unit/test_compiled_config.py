"""The compiled configuration (`socialcare config publish`): what a cold start reads instead of the
YAML is the same configuration, and a compiled form that was edited, published for another schema
or damaged is refused naming what is wrong."""

import json
import subprocess
import sys

import pytest
import yaml

from socialcare.config import ConfigError, load_config
from socialcare.config.compiled import CompiledConfigError, _checksum, compile_config, read_compiled
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare_local.cli import DEMO_POLICY, main


def example() -> dict:
    return yaml.safe_load(BUNDLED_EXAMPLE.read_text())


def with_business_hours_and_overrides() -> dict:
    data = example()
    data["business_hours"] = {
        "timezone": "Europe/London",
        "weekly": {"mon": ["09:00-12:30", "13:30-17:00"], "sat": ["22:00-02:00"]},
        "holidays": {"country": "GB", "subdivision": "ENG", "dates": ["2026-12-24"]},
        "closures": [{"from": "2026-12-31T13:00:00Z", "to": "2027-01-02T09:00:00+01:00"}],
    }
    data["targets"] = {"urgent": {"minutes": 15, "around_the_clock": True}, "normal": {"minutes": 120}}
    data["accounts"][0]["acknowledgements"] = {"templates": ["On it, ref {ref}, reply {response_time}."]}
    data["accounts"][0]["target_minutes"] = 30
    data["triage"] = {"languages": {"en": {"add": {"urgent": ["recall notice"]}}}}
    return data


def demo_policy() -> dict:
    """The demo's care policy over the bundled example, as the demo replays it."""
    return {**example(), **yaml.safe_load(DEMO_POLICY.read_text())}


CONFIGS = {
    "bundled example": lambda: BUNDLED_EXAMPLE.read_text(),
    "demo policy": lambda: yaml.safe_dump(demo_policy()),
    "business hours, targets, overrides": lambda: yaml.safe_dump(with_business_hours_and_overrides()),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_the_compiled_form_reads_back_to_an_equal_configuration(name):
    config = parse_config(CONFIGS[name](), name)
    compiled = read_compiled(compile_config(config))
    assert compiled == config
    assert compiled.ladder() == config.ladder()
    for account in config.accounts:
        assert type(compiled.account(account.channel, account.id)) is type(account)
        assert compiled.response_policy(account).target(None) == config.response_policy(account).target(None)
        assert compiled.acknowledgements_for(account) == config.acknowledgements_for(account)
    assert compiled.summary_recipients() == config.summary_recipients()


def test_mappings_keep_the_order_the_yaml_gave_them():
    data = with_business_hours_and_overrides()
    data["recipients"] = dict(reversed(list(data["recipients"].items())))
    data["triage"]["languages"]["de"] = {"add": {"urgent": ["rückruf"]}}
    config = parse_config(yaml.safe_dump(data, sort_keys=False), "x")
    compiled = read_compiled(compile_config(config))
    assert list(compiled.recipients) == list(config.recipients) == list(data["recipients"])
    assert list(compiled.triage.languages) == list(config.triage.languages) == ["en", "de"]
    assert list(compiled.business_hours.weekly) == ["mon", "sat"]


def test_a_form_published_by_one_process_is_read_by_another(tmp_path, monkeypatch):
    """As the publishing command and a cold start are: nothing process-specific in the fingerprint."""
    monkeypatch.delenv("TARGET_MINUTES", raising=False)
    out = tmp_path / "config.json"
    out.write_text(compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), "x")))
    probe = f"from socialcare.config import load_config; print(load_config(path={str(out)!r}).target_minutes)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stderr == ""
    assert result.stdout.strip() == str(example()["target_minutes"])


def test_a_published_file_loads_as_the_yaml_it_came_from(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TARGET_MINUTES", raising=False)
    policy = _yaml(tmp_path, demo_policy())
    out = tmp_path / "config.json"
    assert main(["config", "publish", str(policy), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert as_data(load_config(path=str(out))) == as_data(load_config(path=str(policy)))


def test_the_stacks_target_fills_the_compiled_form_only_where_the_yaml_left_it_out(tmp_path, monkeypatch):
    data = example()
    data.pop("target_minutes")
    left_out = tmp_path / "left-out.json"
    left_out.write_text(compile_config(parse_config(yaml.safe_dump(data), "x")))
    given = tmp_path / "given.json"
    given.write_text(compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), "x")))
    monkeypatch.setenv("TARGET_MINUTES", "25")
    assert as_data(load_config(path=str(left_out))) == as_data(load_config(path=str(_yaml(tmp_path, data))))
    assert load_config(path=str(left_out)).target_minutes == 25
    assert load_config(path=str(given)).target_minutes == example()["target_minutes"]
    monkeypatch.setenv("TARGET_MINUTES", "0")
    with pytest.raises(ConfigError, match="target_minutes: 0 is out of bounds"):
        load_config(path=str(left_out))


def as_data(config) -> dict:
    """The values of a configuration, validated (YAML) or read by the functions (compiled form)."""
    from socialcare.config.compiled import _plain
    from socialcare.config.light import LightModel, plain

    return plain(config) if isinstance(config, LightModel) else _plain(config)


def _yaml(tmp_path, data: dict):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def compiled_data() -> dict:
    return json.loads(compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), "x")))


def resealed(data: dict) -> str:
    """A compiled form changed by someone who also recomputed its checksum."""
    data["checksum"] = _checksum({key: data[key] for key in ("format", "schema", "config", "unset")})
    return json.dumps(data)


def load_text(tmp_path, text: str):
    path = tmp_path / "config.json"
    path.write_text(text)
    return load_config(path=str(path))


def test_a_compiled_form_edited_after_publishing_is_refused(tmp_path):
    data = compiled_data()
    data["config"]["target_minutes"] = 5
    with pytest.raises(ConfigError, match="checksum does not match: it was changed after publishing"):
        load_text(tmp_path, json.dumps(data))


def test_a_compiled_form_of_another_schema_is_refused(tmp_path):
    data = compiled_data()
    data["schema"] = "0123456789abcdef"
    with pytest.raises(ConfigError, match="another version of the schema: publish the configuration again"):
        load_text(tmp_path, resealed(data))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.update(target_minutes="60"), "target_minutes: expected a whole number"),
        (lambda c: c["accounts"][0].update(channel="myspace"), "accounts.0: matches 0 of the possible kinds"),
        (lambda c: c["accounts"][0].pop("handle"), "accounts.0.handle: missing"),
        (lambda c: c["polling"].update(stall_alarm_minutes=True), "polling.stall_alarm_minutes: expected"),
        (lambda c: c["recipients"]["on_call"].update(phone="+1"), "recipients.on_call.phone: not a field"),
        (lambda c: c.update(escalation={}), "escalation: expected a list"),
    ],
)
def test_a_damaged_compiled_form_is_refused_naming_the_field(tmp_path, change, field):
    data = compiled_data()
    change(data["config"])
    with pytest.raises(ConfigError) as refused:
        load_text(tmp_path, resealed(data))
    assert "compiled configuration from" in str(refused.value)
    assert field in str(refused.value)


def test_a_truncated_compiled_form_is_refused_as_one_not_read_as_yaml(tmp_path):
    text = compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), "x"))
    with pytest.raises(ConfigError, match=r"compiled configuration from .* cannot be used: not JSON"):
        load_text(tmp_path, text[: len(text) // 2])


def test_a_compiled_form_of_another_format_is_refused():
    data = compiled_data()
    data["format"] = 99
    with pytest.raises(CompiledConfigError, match="format 99 is not 1: publish the configuration again"):
        read_compiled(resealed(data))


def test_publishing_an_invalid_yaml_writes_nothing_and_names_the_field(tmp_path, capsys):
    data = example()
    data["recipients"]["on_call"]["sms"] = "0415 555 0123"
    out = tmp_path / "config.json"
    assert main(["config", "publish", str(_yaml(tmp_path, data)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "recipients.on_call.sms" in err and "Traceback" not in err
    assert not out.exists()
