"""The cold start's reader of the compiled configuration: no pydantic, no YAML, no validators.

`socialcare config publish` validated the YAML with every rule and stored its compiled form
(compiled.py). A function reads it back here into plain objects that hold the same fields and
inherit the same methods (behaviour.py) as the schema's models, walking
generated/config_shapes.json, the models' description generated from them. The form is still
checked as it is read: the checksum (edited by hand), the schema fingerprint (published by another
version), and every value's type, each refusal a CompiledConfigError naming the field. Bounds and
cross-field rules are publishing's job.
"""

import hashlib
import json
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

FORMAT = 1
_KEYS = {"format", "schema", "checksum", "config", "unset"}
SHAPES_FILE = Path(__file__).parents[1] / "generated" / "config_shapes.json"
_EXPECTED = {list: "a list", dict: "a mapping", str: "text", bool: "true or false"}


class CompiledConfigError(ValueError):
    """The compiled form cannot be used as it is; the message names the field."""


class LightModel:
    """A configuration object read from the compiled form: its fields as attributes, frozen."""

    FIELDS: tuple[str, ...] = ()

    def __init__(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)
        for owner in type(self).__mro__:
            for name, factory in vars(owner).get("CACHES", {}).items():
                object.__setattr__(self, name, factory())

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):  # a behaviour's own cache may change; a field may not
            raise AttributeError(f"{type(self).__name__} is read-only: {name}")
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment] - as the models: equal by value, not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"


def looks_compiled(text: str) -> bool:
    """Whether a stored configuration is meant as a compiled form (no configuration YAML has these
    keys): a damaged one is then refused as such, not read as YAML."""
    head = text.lstrip()
    return head.startswith("{") and '"checksum"' in head


def checksum(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_light(text: str, defaults: dict[str, Any] | None = None) -> Any:
    """The configuration a compiled form stands for, as light objects; `defaults` fill the fields
    its YAML left out (TARGET_MINUTES)."""
    data = unsealed(text)
    shapes = _shapes()
    if data["schema"] != shapes["schema"]:
        raise CompiledConfigError(
            "it was published for another version of the schema: publish the configuration again"
        )
    reader = _Reader(shapes["models"])
    config = reader.model(shapes["root"], data["config"], "")
    unset = reader.value({"list": "str"}, data["unset"], "unset")
    for name, value in (defaults or {}).items():
        if name in unset:
            object.__setattr__(config, name, _within_bounds(reader, shapes, name, value))
    return config


def unsealed(text: str) -> dict:
    """The compiled form's parts, once its keys, format and checksum are as publishing left them."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CompiledConfigError(f"not JSON ({error})") from None
    if not isinstance(data, dict) or set(data) != _KEYS:
        raise CompiledConfigError(f"not a compiled configuration (keys {', '.join(sorted(_KEYS))})")
    if data["format"] != FORMAT:
        raise CompiledConfigError(
            f"format {data['format']!r} is not {FORMAT}: publish the configuration again"
        )
    body = {key: data[key] for key in ("format", "schema", "config", "unset")}
    if data["checksum"] != checksum(body):
        raise CompiledConfigError("its checksum does not match: it was changed after publishing")
    return data


def plain(value: Any) -> Any:
    """A light configuration as the compiled form's JSON data (for comparing with it)."""
    if isinstance(value, LightModel):
        return {key: plain(getattr(value, name)) for key, name in type(value).KEYS}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@cache
def _shapes() -> dict:
    return json.loads(SHAPES_FILE.read_text(encoding="utf-8"))


def _within_bounds(reader: "_Reader", shapes: dict, name: str, value: Any) -> Any:
    field = next((f for f in shapes["models"][shapes["root"]]["fields"] if f[1] == name), None)
    if field is None:
        raise CompiledConfigError(f"{name}: not a field of the configuration")
    value = reader.value(field[2], value, name)
    for bound, limit in shapes["bounds"].get(name, {}).items():
        holds = {"ge": value >= limit, "le": value <= limit, "gt": value > limit, "lt": value < limit}
        if not holds[bound]:
            raise CompiledConfigError(f"{name}: {value!r} is out of bounds ({bound} {limit})")
    return value


def _where(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


class _Reader:
    def __init__(self, models: dict[str, dict]) -> None:
        self._models = models

    def value(self, shape: Any, value: Any, where: str) -> Any:
        if isinstance(shape, str):
            return _leaf(shape, value, where)
        ((kind, inner),) = shape.items()
        if kind == "optional":
            return None if value is None else self.value(inner, value, where)
        if kind == "model":
            return self.model(inner, value, where)
        if kind == "union":
            return self._union(inner, value, where)
        if kind == "literal":
            if value not in inner:
                raise CompiledConfigError(f"{where}: {value!r} is not one of {tuple(inner)!r}")
            return value
        if kind == "dict":
            _expect(value, dict, where)
            key_shape, item_shape = inner
            return {
                self.value(key_shape, key, where): self.value(item_shape, item, _where(where, key))
                for key, item in value.items()
            }
        _expect(value, list, where)
        items = [self.value(inner, item, _where(where, index)) for index, item in enumerate(value)]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](items)

    def model(self, name: str, value: Any, where: str) -> LightModel:
        _expect(value, dict, where)
        shape = self._models[name]
        keys = {key for key, _, _ in shape["fields"]}
        unknown = sorted(set(value) - keys)
        if unknown:
            raise CompiledConfigError(
                f"{_where(where, unknown[0])}: not a field of {name.rpartition('.')[2]}"
            )
        missing = sorted(keys - set(value))
        if missing:
            raise CompiledConfigError(f"{_where(where, missing[0])}: missing")
        built = {
            attribute: self.value(field, value[key], _where(where, key))
            for key, attribute, field in shape["fields"]
        }
        return _light_class(name, tuple(shape["behaviours"]), tuple((k, a) for k, a, _ in shape["fields"]))(
            built
        )

    def _union(self, names: list[str], value: Any, where: str) -> LightModel:
        _expect(value, dict, where)
        matching = [
            name
            for name in names
            if self._models[name]["tags"]
            and all(value.get(key) in allowed for key, allowed in self._models[name]["tags"].items())
        ]
        if len(matching) != 1:
            raise CompiledConfigError(f"{where}: matches {len(matching)} of the possible kinds, not one")
        return self.model(matching[0], value, where)


@cache
def _light_class(name: str, behaviours: tuple[str, ...], keys: tuple[tuple[str, str], ...]) -> type:
    bases = []
    for path in behaviours:
        module, _, attribute = path.partition(":")
        bases.append(getattr(import_module(module), attribute))
    attributes = {"FIELDS": tuple(attribute for _, attribute in keys), "KEYS": keys, "__module__": __name__}
    return type(name.rpartition(".")[2], (*bases, LightModel), attributes)


def _leaf(shape: str, value: Any, where: str) -> Any:
    if shape == "any":
        return value
    if shape == "none":
        if value is not None:
            raise CompiledConfigError(f"{where}: expected nothing, found {value!r}")
        return None
    if shape in ("str", "bool"):
        _expect(value, str if shape == "str" else bool, where)
        return value
    number = not isinstance(value, bool) and isinstance(value, int | float)
    if shape == "int":
        if not number or not isinstance(value, int):
            raise CompiledConfigError(f"{where}: expected a whole number, found {value!r}")
        return value
    if shape in ("float", "timedelta"):
        if not number:
            kind = "a number of seconds" if shape == "timedelta" else "a number"
            raise CompiledConfigError(f"{where}: expected {kind}, found {value!r}")
        return float(value) if shape == "float" else timedelta(seconds=value)
    kinds = {"date": date, "datetime": datetime, "time": time}
    if shape in kinds:
        try:
            return kinds[shape].fromisoformat(value)
        except (TypeError, ValueError):
            raise CompiledConfigError(f"{where}: not a {shape}: {value!r}") from None
    raise CompiledConfigError(f"{where}: cannot read a value of type {shape!r}")


def _expect(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind):
        raise CompiledConfigError(f"{where}: expected {_EXPECTED.get(kind, kind.__name__)}, found {value!r}")
