"""The compiled configuration: what `socialcare config publish` stores for the functions to read.

The YAML is validated once, when it is published (schema.py, every rule). What is stored is the
validated configuration as plain JSON data, every default filled in, with the format, a fingerprint
of the schema's fields and a checksum. A cold start reads it back into the same Config without
validating it again: no YAML parser, no phone-number or holiday tables, no validator runs.

Nothing here names a field: the reader walks the models' own field annotations, so a field added
to the schema is carried without a change here. A compiled form that was edited by hand (checksum),
published for another schema (fingerprint) or is malformed is refused with a ConfigError naming the
field, and the publishing command proves the round trip gives an equal Config before storing it.
"""

import hashlib
import json
import re
import types
import typing
from datetime import date, time, timedelta
from enum import Enum
from typing import Any

from pydantic import BaseModel

from .light import FORMAT, CompiledConfigError, plain, read_light, unsealed
from .light import checksum as _checksum
from .light import looks_compiled as looks_compiled
from .schema import Config

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def compile_config(config: Config) -> str:
    """The compiled form of a validated configuration, as JSON text."""
    body = {
        "format": FORMAT,
        "schema": schema_fingerprint(),
        "config": _plain(config),
        # Top-level fields the YAML left to their defaults: the stack's defaults (TARGET_MINUTES)
        # still fill them at cold start, as they fill the YAML's.
        "unset": sorted(set(type(config).__pydantic_fields__) - config.model_fields_set),
    }
    compiled = {"checksum": _checksum(body), **body}  # the checksum first: see looks_compiled
    if read_compiled(json.dumps(compiled)) != config:  # a type this module cannot carry back
        raise CompiledConfigError("the compiled form does not read back to the same configuration")
    # The functions read it without pydantic (light.py), through generated/config_shapes.json,
    # which must be current.
    try:
        light = plain(read_light(json.dumps(compiled)))
    except CompiledConfigError as error:
        raise CompiledConfigError(
            f"the functions' reader cannot read it ({error}): run `make config-shapes` after a schema change"
        ) from None
    if light != body["config"]:
        raise CompiledConfigError("the functions' reader does not read it back to the same configuration")
    # Compact: an SSM parameter holds 4 KB (standard tier) or 8 KB (advanced).
    # Keys in the configuration's own order: a mapping's order can matter (recipients, languages).
    return json.dumps(compiled, separators=(",", ":"), ensure_ascii=False) + "\n"


def read_compiled(text: str, defaults: dict[str, Any] | None = None) -> Config:
    """The pydantic Config a compiled form stands for (publishing's check, tests); `defaults` fill
    the fields its YAML left out. The functions read it with light.read_light instead."""
    data = unsealed(text)
    if data["schema"] != schema_fingerprint():
        raise CompiledConfigError(
            "it was published for another version of the schema: publish the configuration again"
        )
    config = _build(Config, data["config"], "")
    unset = _build(list[str], data["unset"], "unset")
    update = {key: value for key, value in (defaults or {}).items() if key in unset}
    for key, value in update.items():
        _check_bounds(Config, key, value)
    return config.model_copy(update=update) if update else config


def _check_bounds(model: type[BaseModel], name: str, value: Any) -> None:
    """A default from the environment within the field's bounds (ge, le, gt, lt)."""
    field = model.__pydantic_fields__[name]
    _build(field.annotation, value, name)
    for bound in field.metadata:
        for attribute, holds in (
            ("ge", lambda limit: value >= limit),
            ("le", lambda limit: value <= limit),
            ("gt", lambda limit: value > limit),
            ("lt", lambda limit: value < limit),
        ):
            limit = getattr(bound, attribute, None)
            if limit is not None and not holds(limit):
                raise CompiledConfigError(f"{name}: {value!r} is out of bounds ({attribute} {limit})")


def schema_fingerprint() -> str:
    """A hash of every model's fields: names, aliases, annotations, constraints."""
    seen: dict[str, list[str]] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            name = f"{annotation.__module__}.{annotation.__qualname__}"
            if name in seen:
                return
            seen[name] = []
            for field_name, field in annotation.__pydantic_fields__.items():
                described = f"{field_name}|{field.alias}|{field.annotation!r}|{field.metadata!r}"
                seen[name].append(_ADDRESS.sub("", described))  # a validator's repr has its address
                visit(field.annotation)
            return
        for argument in typing.get_args(annotation):
            visit(argument)

    visit(Config)
    return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {
            field.alias or name: _plain(getattr(value, name))
            for name, field in type(value).__pydantic_fields__.items()
        }
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise CompiledConfigError(f"cannot compile a {type(value).__name__}")


def _where(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def _build(annotation: Any, value: Any, where: str) -> Any:
    """The value of `annotation` the JSON `value` stands for, checked against its type."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _build(arguments[0], value, where)
    if annotation is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        return _build_union(arguments, value, where)
    if origin is typing.Literal:
        if value not in arguments:
            raise CompiledConfigError(f"{where}: {value!r} is not one of {arguments!r}")
        return value
    if origin in (list, tuple, set, frozenset):
        _expect(value, list, where)
        items = [
            _build(arguments[0] if arguments else Any, item, _where(where, index))
            for index, item in enumerate(value)
        ]
        return origin(items) if origin is not list else items
    if origin is dict:
        _expect(value, dict, where)
        key_type, item_type = arguments or (str, Any)
        return {
            _build(key_type, key, where): _build(item_type, item, _where(where, key))
            for key, item in value.items()
        }
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _build_model(annotation, value, where)
    return _build_leaf(annotation, value, where)


def _build_union(arguments: tuple, value: Any, where: str) -> Any:
    if value is None and type(None) in arguments:
        return None
    choices = [argument for argument in arguments if argument is not type(None)]
    models = [c for c in choices if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(choices) == 1:
        return _build(choices[0], value, where)
    if models and len(models) == len(choices):  # told apart by their Literal fields (`channel`)
        _expect(value, dict, where)
        matching = [model for model in models if _tags_match(model, value)]
        if len(matching) != 1:
            raise CompiledConfigError(f"{where}: matches {len(matching)} of the possible kinds, not one")
        return _build_model(matching[0], value, where)
    raise CompiledConfigError(f"{where}: cannot read a value of type {arguments!r}")


def _tags_match(model: type[BaseModel], value: dict) -> bool:
    tags = {
        field.alias or name: typing.get_args(field.annotation)
        for name, field in model.__pydantic_fields__.items()
        if typing.get_origin(field.annotation) is typing.Literal
    }
    return bool(tags) and all(value.get(key) in allowed for key, allowed in tags.items())


def _build_model(model: type[BaseModel], value: Any, where: str) -> BaseModel:
    _expect(value, dict, where)
    fields = {field.alias or name: (name, field) for name, field in model.__pydantic_fields__.items()}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise CompiledConfigError(f"{_where(where, unknown[0])}: not a field of {model.__name__}")
    missing = sorted(set(fields) - set(value))
    if missing:
        raise CompiledConfigError(f"{_where(where, missing[0])}: missing")
    built = {
        name: _build(field.annotation, value[key], _where(where, key))
        for key, (name, field) in fields.items()
    }
    return model.model_construct(**built) if not _aliased(model) else _construct_aliased(model, built)


def _aliased(model: type[BaseModel]) -> bool:
    return any(field.alias for field in model.__pydantic_fields__.values())


def _construct_aliased(model: type[BaseModel], built: dict[str, Any]) -> BaseModel:
    """model_construct takes a field's alias where it has one."""
    by_alias = {(model.__pydantic_fields__[name].alias or name): value for name, value in built.items()}
    return model.model_construct(**by_alias)


def _build_leaf(annotation: Any, value: Any, where: str) -> Any:
    if annotation in (type(None), None):
        if value is not None:
            raise CompiledConfigError(f"{where}: expected nothing, found {value!r}")
        return None
    if annotation is bool:
        _expect(value, bool, where)
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CompiledConfigError(f"{where}: expected a whole number, found {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CompiledConfigError(f"{where}: expected a number, found {value!r}")
        return float(value)
    if annotation is timedelta:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CompiledConfigError(f"{where}: expected a number of seconds, found {value!r}")
        return timedelta(seconds=value)
    if isinstance(annotation, type) and issubclass(annotation, date | time | Enum):
        try:
            return (
                annotation.fromisoformat(value) if issubclass(annotation, date | time) else annotation(value)
            )
        except (TypeError, ValueError):
            raise CompiledConfigError(f"{where}: not a {annotation.__name__}: {value!r}") from None
    if isinstance(annotation, type) and issubclass(annotation, str):
        _expect(value, str, where)
        return annotation(value)
    raise CompiledConfigError(f"{where}: cannot read a value of type {annotation!r}")


def _expect(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind):
        names = {list: "a list", dict: "a mapping", str: "text", bool: "true or false"}
        raise CompiledConfigError(f"{where}: expected {names.get(kind, kind.__name__)}, found {value!r}")
