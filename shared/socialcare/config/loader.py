"""Read the configuration from the bundled file, a file path, or an SSM parameter: the YAML a person
writes (validated here), or its compiled form that `socialcare config publish` stores (compiled.py)."""

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..channels.registry import NETWORKS

if TYPE_CHECKING:  # pydantic and the schema are imported by the YAML path only
    from .schema import Config

BUNDLED_EXAMPLE = Path(__file__).with_name("example.yaml")


# A configuration is a few levels deep and a few hundred values long. Bounds far above that turn a
# broken or hostile document (10,000 nested brackets, "billion laughs" aliases) into a clear error
# before anything is built, instead of a RecursionError or a process out of memory.
MAX_DEPTH = 32
MAX_VALUES = 20_000  # counting each use of an alias as the values it stands for


class ConfigError(RuntimeError):
    """Raised at cold start; the message names the source and every bad field."""


@cache
def _yaml_loader() -> type:
    """SafeLoader whose malformed tagged values (a 30 February, `!!int abc`, `!!bool maybe`) are
    YAML errors naming their line, not the ValueError or KeyError its constructors raise. Built on
    first use: a cold start that reads the compiled form parses no YAML."""
    import yaml

    # libyaml's parser (PyYAML's C extension, in its wheels) reads a configuration more than ten
    # times faster than the pure-Python one, which stands in where the extension is missing.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(safe_loader):
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except yaml.YAMLError:
                raise
            except Exception as error:  # noqa: BLE001 - whatever a constructor raises, the value is bad
                raise yaml.constructor.ConstructorError(
                    None, None, f"cannot read this value ({error})", node.start_mark
                ) from None

    return _Loader


def _check_shape(text: str, source: str) -> None:
    """Walk the document's events (no recursion, nothing built) and bound depth and expansion."""
    import yaml

    open_collections: list[tuple[str | None, int]] = []  # (anchor, values counted when it opened)
    anchored: dict[str, int] = {}  # anchor -> values it stands for
    values = 0
    for event in yaml.parse(text, Loader=_yaml_loader()):
        if isinstance(event, yaml.CollectionStartEvent):
            values += 1
            open_collections.append((event.anchor, values))
            if len(open_collections) > MAX_DEPTH:
                raise ConfigError(
                    f"configuration from {source} is nested deeper than {MAX_DEPTH} levels "
                    f"(line {event.start_mark.line + 1})"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, opened_at = open_collections.pop()
            if anchor is not None:
                anchored[anchor] = values - opened_at + 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor is not None:
                anchored[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            values += anchored.get(event.anchor, 1)
        if values > MAX_VALUES:
            raise ConfigError(
                f"configuration from {source} expands to more than {MAX_VALUES} values "
                f"(line {event.start_mark.line + 1}; each use of an alias counts what it stands for)"
            )


def _location(problem: dict) -> list:
    """Where the reader wrote it: a union told apart by `channel` names the matching model after the
    list index (accounts.0.facebook.id), and an unknown channel only the account (accounts.0)."""
    loc = problem["loc"]
    parts = [
        part
        for index, part in enumerate(loc)
        if not (part in NETWORKS and index > 0 and isinstance(loc[index - 1], int))
    ]
    if problem["type"] in ("union_tag_invalid", "union_tag_not_found"):
        parts.append(str(problem.get("ctx", {}).get("discriminator", "")).strip("'"))
    return parts


def parse_config(text: str, source: str, defaults: dict[str, Any] | None = None) -> "Config":
    """The YAML a person wrote, validated with every rule of the schema."""
    import yaml
    from pydantic import ValidationError

    from .schema import Config

    try:
        _check_shape(text, source)
        data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeEncodeError) as error:  # libyaml reads UTF-8: no lone surrogate
        raise ConfigError(f"configuration from {source} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"configuration from {source} must be a YAML mapping at the top level")
    for key, value in (defaults or {}).items():
        data.setdefault(key, value)
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in _location(item)) or "(top level)"
            problems.append(f"  {field}: {item['msg']}")
        raise ConfigError(f"invalid configuration from {source}:\n" + "\n".join(problems)) from None


def load_config(*, parameter_name: str | None = None, path: str | None = None, ssm_client: Any = None) -> Any:
    """The SSM parameter wins when named; otherwise `path`, otherwise the bundled example.

    TARGET_MINUTES (the stack parameter) fills `target_minutes` when the YAML leaves it out.
    """
    defaults: dict[str, Any] = {}
    if os.environ.get("TARGET_MINUTES"):
        try:
            defaults["target_minutes"] = int(os.environ["TARGET_MINUTES"])
        except ValueError:
            raise ConfigError(
                f"TARGET_MINUTES must be a whole number, not {os.environ['TARGET_MINUTES']!r}"
            ) from None
    if parameter_name:
        if ssm_client is None:
            import boto3  # only the AWS path needs it

            ssm_client = boto3.client("ssm")
        try:
            value = ssm_client.get_parameter(Name=parameter_name, WithDecryption=True)["Parameter"]["Value"]
        except Exception as error:  # noqa: BLE001 - any failure here must stop the cold start clearly
            raise ConfigError(f"cannot read configuration parameter {parameter_name}: {error}") from None
        return parse_stored(value, f"SSM parameter {parameter_name}", defaults)
    file = Path(path) if path else BUNDLED_EXAMPLE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {file}: {error}") from None
    return parse_stored(text, str(file), defaults)


def parse_stored(text: str, source: str, defaults: dict[str, Any] | None = None) -> Any:
    """A stored configuration: its compiled form read without pydantic (light.py: the same fields
    and methods as the schema's Config) when it is one, else the YAML, validated."""
    from .light import CompiledConfigError, looks_compiled, read_light

    if not looks_compiled(text):
        return parse_config(text, source, defaults)
    try:
        return read_light(text, defaults)
    except CompiledConfigError as error:
        raise ConfigError(f"compiled configuration from {source} cannot be used: {error}") from None
