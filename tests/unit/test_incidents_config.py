"""The incidents section of the configuration: on by default, its reply and ladder checked at cold
start with errors that name the field."""

import pytest
import yaml

from socialcare.config import ConfigError
from socialcare.config.compiled import compile_config, read_compiled
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config


def parse(incidents: dict | None = None):
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    if incidents is not None:
        data["incidents"] = incidents
    return parse_config(yaml.safe_dump(data), "test.yaml")


def test_incidents_are_on_by_default_and_alert_the_first_levels_recipients_at_once():
    config = parse()
    assert config.incidents.enabled and config.incidents.after == "resume"
    first = config.escalation[0]
    assert config.incident_ladder() == [
        (
            0,
            [("email", name, str(config.recipients[name].email)) for name in first.email]
            + [("sms", name, str(config.recipients[name].sms)) for name in first.sms],
        )
    ]
    assert all("{status_page}" not in reply for reply in config.incidents.reply_variants())


def test_a_status_page_is_linked_in_the_default_reply():
    config = parse({"status_page": "https://status.example.com"})
    assert all("{status_page}" in reply for reply in config.incidents.reply_variants())


@pytest.mark.parametrize(
    ("incidents", "complaint"),
    [
        ({"reply": ["Updates: {status_page}"]}, "incidents.reply.0: uses {status_page}"),
        ({"reply": ["Ref {ref}, reply {response_time}"]}, "must not carry {response_time}"),
        ({"reply": ["x" * 300]}, "incidents.reply.0"),
        ({"ladder": [{"after_minutes": 0, "sms": ["nobody"]}]}, "incidents.ladder.0.sms: 'nobody'"),
        ({"ladder": [{"after_minutes": 0}]}, "must alert someone"),
        (
            {
                "ladder": [
                    {"after_minutes": 10, "email": ["care_team"]},
                    {"after_minutes": 5, "email": ["care_team"]},
                ]
            },
            "strictly increasing",
        ),
        ({"after": "forget"}, "after"),
        ({"status_page": "not a url"}, "status_page"),
        ({"status_posts": {"interval_minutes": 1}}, "interval_minutes"),
    ],
)
def test_a_bad_incidents_setting_fails_naming_it(incidents, complaint):
    with pytest.raises(ConfigError, match=complaint):
        parse(incidents)


def test_the_compiled_form_keeps_the_incident_settings():
    config = parse({"after": "close", "status_posts": {"enabled": True, "interval_minutes": 15}})
    again = read_compiled(compile_config(config))
    assert again.incidents.after == "close" and again.incidents.status_posts.interval_minutes == 15
