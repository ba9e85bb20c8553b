"""generated/config_shapes.json: the schema's models described as plain data, for the cold start's reader.

light.py reads the compiled configuration with this description instead of the pydantic models, so a
function's cold start imports no validation library. Generated from the models (`make config-shapes`,
or `python -m socialcare.config.shapes`); a test fails when the file no longer matches them, as
after a change to the schema without regenerating it.

Each model: its fields (key in the compiled form, attribute, type), the values of its Literal fields
(which tell the networks' accounts apart) and the behaviour classes it inherits (behaviour.py and a
network's own). Types: "str", "int", "float", "bool", "any", "none", "timedelta", "date",
"datetime", "time", {"optional": t}, {"list": t}, {"tuple": t}, {"set": t}, {"frozenset": t},
{"dict": [key, value]}, {"literal": [...]}, {"model": name}, {"union": [model names]}.
"""

import json
import sys
import types
import typing
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .behaviour import Behaviour
from .compiled import schema_fingerprint
from .schema import Config

SHAPES_FILE = Path(__file__).parents[1] / "generated" / "config_shapes.json"
_LEAVES = [
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (str, "str"),
    (timedelta, "timedelta"),
    (datetime, "datetime"),  # before date: a datetime is a date
    (date, "date"),
    (time, "time"),
]


def describe() -> dict:
    models: dict[str, dict] = {}
    root = _model(Config, models)
    bounds = {
        name: {
            attribute: getattr(bound, attribute)
            for bound in field.metadata
            for attribute in ("ge", "le", "gt", "lt")
            if getattr(bound, attribute, None) is not None
        }
        for name, field in Config.__pydantic_fields__.items()
    }
    return {
        "schema": schema_fingerprint(),
        "root": root,
        "bounds": {name: limits for name, limits in bounds.items() if limits},
        "models": dict(sorted(models.items())),
    }


def _model(model: type[BaseModel], models: dict[str, dict]) -> str:
    name = f"{model.__module__}.{model.__qualname__}".removeprefix("socialcare.")
    if name in models:
        return name
    models[name] = {}  # a model that refers to itself stops here
    fields = model.__pydantic_fields__
    behaviours = [
        base
        for base in model.__mro__
        if issubclass(base, Behaviour) and base is not Behaviour and not issubclass(base, BaseModel)
    ]
    models[name] = {
        "behaviours": [
            f"{base.__module__}:{base.__qualname__}"
            for base in behaviours
            if not any(other is not base and issubclass(other, base) for other in behaviours)
        ],
        "fields": [
            [field.alias or key, key, _type(field.annotation, models)] for key, field in fields.items()
        ],
        "tags": {
            field.alias or key: list(typing.get_args(field.annotation))
            for key, field in fields.items()
            if typing.get_origin(field.annotation) is typing.Literal
        },
    }
    return name


def _type(annotation: Any, models: dict[str, dict]) -> Any:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(arguments[0], models)
    if annotation is Any:
        return "any"
    if annotation in (None, type(None)):
        return "none"
    if origin in (typing.Union, types.UnionType):
        choices = [argument for argument in arguments if argument is not type(None)]
        if len(choices) == 1:
            described = _type(choices[0], models)
        elif all(isinstance(c, type) and issubclass(c, BaseModel) for c in choices):
            described = {"union": [_model(choice, models) for choice in choices]}
        else:
            raise TypeError(f"cannot describe {annotation!r}: a union of models or one type and None")
        return {"optional": described} if type(None) in arguments else described
    if origin is typing.Literal:
        return {"literal": list(arguments)}
    if origin in (list, tuple, set, frozenset):
        return {origin.__name__: _type(arguments[0] if arguments else Any, models)}
    if origin is dict:
        key, value = arguments or (str, Any)
        return {"dict": [_type(key, models), _type(value, models)]}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"model": _model(annotation, models)}
    for leaf, described in _LEAVES:
        if isinstance(annotation, type) and issubclass(annotation, leaf):
            return described
    raise TypeError(f"cannot describe {annotation!r} for the compiled configuration's reader")


def render() -> str:
    return json.dumps(describe(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SHAPES_FILE.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {SHAPES_FILE}\n")
