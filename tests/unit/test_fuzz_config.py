"""The configuration loader on any document: a Config, or a ConfigError naming what is wrong; never
RecursionError, never a constructor's ValueError, never minutes spent expanding aliases."""

import json
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare.config import Config, ConfigError
from socialcare.config.loader import BUNDLED_EXAMPLE, MAX_DEPTH, parse_config

EXAMPLES = 300
EXAMPLE = yaml.safe_load(BUNDLED_EXAMPLE.read_text())

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.lists(
        st.text(max_size=10) | st.sampled_from(["\ud800", "\u2028", "\x00", "\u202e", "\n"]), max_size=3
    ).map("".join)
    | st.sampled_from(
        ["+14155550123", "care_team", "x", "9001", "{ref}", "ref {ref} {author}", "a@b.example"]
    )
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
)
# Tagged scalars PyYAML's constructors choke on, plain YAML oddities, and broken syntax.
yaml_fragments = st.sampled_from(
    [
        "2001-02-30",
        "!!int abc",
        "!!float x",
        "!!bool maybe",
        "!!timestamp x",
        "!!binary '%%'",
        "!!set {x}",
        "!!omap [1]",
        "!!python/name:os.system",
        "*undefined",
        "&a [*a]",
        "{[1]: 2}",
        "? [a]\n  : b",
        "'unterminated",
        "[1, 2",
        "{a: 1",
        "0x",
        "1_000",
        ".nan",
        "-.inf",
        "~",
        "@reserved",
        "`tick",
        "\t",
        "|\n  block",
        "!!str [1]",
        "<<: 1",
        "190:20:30",
        "1e400",
        "99999999999999999999999999",
    ]
)


def mutated(data, path: list, value):
    """The example with the value at `path` (keys or indexes, as far as they reach) replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        key = list(data)[head % len(data)] if data and isinstance(head, int) else head
        return {**data, key: mutated(data.get(key), rest, value)}
    if isinstance(data, list) and data:
        index = head % len(data) if isinstance(head, int) else 0
        return [*data[:index], mutated(data[index], rest, value), *data[index + 1 :]]
    return value


def assert_config_or_documented_error(text: str) -> None:
    try:
        assert isinstance(parse_config(text, "fuzz.yaml"), Config)
    except ConfigError as error:
        assert str(error).startswith(("configuration from fuzz.yaml", "invalid configuration from fuzz.yaml"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.integers(0, 50) | st.text(max_size=8), max_size=4), values)
def test_the_example_with_any_value_anywhere_loads_or_names_the_problem(path, value):
    document = mutated(EXAMPLE, path, value)
    assert_config_or_documented_error(yaml.safe_dump(document, allow_unicode=True))
    assert_config_or_documented_error(json.dumps(document, ensure_ascii=False))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(list(EXAMPLE)), min_size=1, max_size=3), yaml_fragments, st.text(max_size=20))
def test_hand_written_yaml_of_any_shape_loads_or_names_the_problem(keys, fragment, noise):
    lines = [f"{key}: {fragment}" for key in keys]
    assert_config_or_documented_error("\n".join(lines))
    assert_config_or_documented_error(yaml.safe_dump(EXAMPLE) + f"\nextra: {fragment}{noise}")
    assert_config_or_documented_error(noise)


@pytest.mark.parametrize(
    "document",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "- " * 10_000 + "1",
        "accounts: " + "[" * 10_000 + "]" * 10_000,
        "\n".join(" " * depth + f"k{depth}:" for depth in range(2_000)) + " 1",
    ],
)
def test_10000_deep_nesting_is_a_clear_error_not_a_recursion_error(document):
    with pytest.raises(ConfigError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_config(document, "deep.yaml")


def test_alias_expansion_is_bounded_and_fails_fast():
    laughs = "lol: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{n}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(9)
    )
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="expands to more than"):
        parse_config(laughs + "accounts: *j\n", "laughs.yaml")
    assert time.perf_counter() - started < 5, "a billion values are never built"


def test_aliases_a_real_configuration_uses_still_work():
    text = yaml.safe_dump(EXAMPLE).replace(
        "recipients:", "recipients:\n  pager: &pager {sms: '+14155550123'}", 1
    )
    config = parse_config(text.replace("  on_call:\n    sms: '+14155550123'", "  on_call: *pager"), "a.yaml")
    assert config.recipients["on_call"].sms == "+14155550123"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2001-02-30", "day is out of range"),
        ("!!int abc", "invalid literal"),
        ("!!bool maybe", "cannot read this value"),
        ("!!timestamp x", "cannot read this value"),
    ],
)
def test_a_value_yaml_cannot_build_is_named_with_its_line(value, reason):
    text = yaml.safe_dump(EXAMPLE) + f"retention_days: {value}\n"
    with pytest.raises(ConfigError, match=reason) as failure:
        parse_config(text, "bad.yaml")
    assert f"line {text.count(chr(10))}" in str(failure.value)
