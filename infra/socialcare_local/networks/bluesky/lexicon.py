"""The official Lexicon files (../shared/specs/bluesky/lexicons) as a checker: each XRPC request's
parameters or input and each answer's fields, validated by the Lexicon rules the simulator relies on
(types, required fields, formats, lengths in bytes and graphemes, refs and closed unions, and a
record's own schema where a field is `unknown` but names its $type)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import regex

from ..specs import specs_dir

_FORMATS = {
    "did": re.compile(r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]"),
    "handle": re.compile(
        r"([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    ),
    "at-uri": re.compile(r"at://[a-zA-Z0-9._:%-]+(/[a-zA-Z0-9.-]+(/[a-zA-Z0-9._:~-]{1,512})?)?"),
    "cid": re.compile(r"[a-zA-Z0-9+=]{8,256}"),
    "nsid": re.compile(r"[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+"),
    "datetime": re.compile(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
    ),
    "uri": re.compile(r"[a-z][a-z.+-]*:\S+"),
    "language": re.compile(r"[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*"),
    "record-key": re.compile(r"[a-zA-Z0-9._:~-]{1,512}"),
    "tid": re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}"),
}
_FORMATS["at-identifier"] = re.compile(f"(?:{_FORMATS['did'].pattern})|(?:{_FORMATS['handle'].pattern})")
_GRAPHEME = regex.compile(r"\X")


def expected_bluesky_spec_path() -> Path | None:
    base = specs_dir()
    return base / "bluesky" / "lexicons" if base else None


def find_bluesky_spec() -> Path | None:
    path = expected_bluesky_spec_path()
    return path if path and path.is_dir() and any(path.rglob("*.json")) else None


def missing_bluesky_spec() -> str | None:
    return (
        None
        if find_bluesky_spec()
        else f"official Bluesky lexicons not found at {expected_bluesky_spec_path()}"
    )


class Lexicons:
    def __init__(self, folder: Path):
        self.docs: dict[str, dict] = {}
        for path in sorted(Path(folder).rglob("*.json")):
            doc = json.loads(path.read_text())
            self.docs[doc["id"]] = doc

    def method(self, nsid: str) -> dict | None:
        doc = self.docs.get(nsid)
        main = doc["defs"].get("main") if doc else None
        return main if main and main.get("type") in ("query", "procedure") else None

    # -- requests and answers ----------------------------------------------------------------------

    def request_errors(self, method: str, nsid: str, query: dict[str, list[str]], body: Any) -> list[str]:
        main = self.method(nsid)
        if main is None:
            return [f"{nsid} is not a method in the lexicons"]
        expected = "GET" if main["type"] == "query" else "POST"
        if method != expected:
            return [f"{nsid} is a {main['type']}: {expected}, not {method}"]
        errors = self._params(nsid, main.get("parameters"), query)
        schema = (main.get("input") or {}).get("schema")
        if schema is not None:
            errors += self.check(nsid, schema, body, "input")
        elif body is not None:
            errors.append("input: this method takes no body")
        if nsid == "com.atproto.repo.createRecord" and isinstance(body, dict):  # (its fields: see `unknown`)
            record = body.get("record")
            if not isinstance(record, dict) or record.get("$type") != body.get("collection"):
                errors.append("input.record: its $type must be the collection")
        return errors

    def response_errors(self, nsid: str, status: int, body: Any) -> list[str]:
        main = self.method(nsid)
        if main is None:
            return []
        if status >= 400:  # XRPC's error envelope, with a name the method declares where it has any
            if not isinstance(body, dict) or not isinstance(body.get("error"), str):
                return ["error answer: no `error` name"]
            if "message" in body and not isinstance(body["message"], str):
                return ["error answer: `message` is not a string"]
            return []
        schema = (main.get("output") or {}).get("schema")
        return self.check(nsid, schema, body, "output") if schema else []

    def record_errors(self, collection: Any, record: Any, where: str) -> list[str]:
        doc = self.docs.get(collection) if isinstance(collection, str) else None
        main = doc["defs"].get("main") if doc else None
        if not main or main.get("type") != "record":
            return [f"{where}: {collection!r} is not a record type in the lexicons"]
        if not isinstance(record, dict) or record.get("$type") != collection:
            return [f"{where}: must be an object with $type {collection}"]
        return self.check(collection, main["record"], record, where)

    def _params(self, nsid: str, params: dict | None, query: dict[str, list[str]]) -> list[str]:
        properties = (params or {}).get("properties", {})
        errors = [f"parameter {name}: not in the lexicon" for name in query if name not in properties]
        errors += [
            f"parameter {name}: required" for name in (params or {}).get("required", []) if name not in query
        ]
        for name, values in query.items():
            definition = properties.get(name)
            if definition is None:
                continue
            if definition["type"] != "array" and len(values) > 1:
                errors.append(f"parameter {name}: given {len(values)} times")
                continue
            value = values if definition["type"] == "array" else _scalar(definition, values[0])
            if value is _BAD:
                errors.append(f"parameter {name}: {values[0]!r} is not a {definition['type']}")
                continue
            if definition["type"] == "array":
                items = definition["items"]
                value = [_scalar(items, one) for one in values]
            errors += self.check(nsid, definition, value, f"parameter {name}")
        return errors

    # -- the Lexicon type system ---------------------------------------------------------------------

    def check(self, nsid: str, definition: dict, value: Any, where: str) -> list[str]:
        kind = definition.get("type")
        if kind == "ref":
            target_nsid, target = self._resolve(nsid, definition["ref"])
            return self.check(target_nsid, target, value, where)
        if kind == "union":
            return self._union(nsid, definition, value, where)
        if kind in ("object", "params"):
            return self._object(nsid, definition, value, where)
        if kind == "array":
            if not isinstance(value, list):
                return [f"{where}: not an array"]
            errors = (
                [f"{where}: more than {definition['maxLength']} items"]
                if len(value) > definition.get("maxLength", len(value))
                else []
            )
            for index, item in enumerate(value):
                errors += self.check(nsid, definition["items"], item, f"{where}[{index}]")
            return errors
        if kind == "string":
            return _string(definition, value, where)
        if kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return [f"{where}: not an integer"]
            low, high = definition.get("minimum"), definition.get("maximum")
            if (low is not None and value < low) or (high is not None and value > high):
                return [f"{where}: {value} outside [{low}, {high}]"]
            return []
        if kind == "boolean":
            return [] if isinstance(value, bool) else [f"{where}: not a boolean"]
        if kind == "unknown":
            if not isinstance(value, dict):
                return [f"{where}: not an object"]
            record_type = value.get("$type")
            doc = self.docs.get(record_type) if isinstance(record_type, str) else None
            if doc and doc["defs"].get("main", {}).get("type") == "record":
                return self.record_errors(record_type, value, where)
            return []
        return []  # blob, bytes, cid-link, token: not sent by anything simulated

    def _object(self, nsid: str, definition: dict, value: Any, where: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        nullable = set(definition.get("nullable", []))
        errors = [f"{where}.{name}: required" for name in definition.get("required", []) if name not in value]
        for name, sub in definition.get("properties", {}).items():
            if name in value and not (value[name] is None and name in nullable):
                errors += self.check(nsid, sub, value[name], f"{where}.{name}")
        return errors

    def _union(self, nsid: str, definition: dict, value: Any, where: str) -> list[str]:
        if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
            return [f"{where}: a union member needs its $type"]
        for ref in definition["refs"]:
            full = nsid + ref if ref.startswith("#") else ref
            if value["$type"] in (full, full.removesuffix("#main"), f"{full}#main"):
                target_nsid, target = self._resolve(nsid, ref)
                return self.check(target_nsid, target, value, where)
        if definition.get("closed"):
            return [f"{where}: $type {value['$type']} is not one of {definition['refs']}"]
        return []

    def _resolve(self, nsid: str, ref: str) -> tuple[str, dict]:
        target_nsid, _, name = ref.partition("#")
        target_nsid = target_nsid or nsid
        return target_nsid, self.docs[target_nsid]["defs"][name or "main"]


_BAD = object()


def _scalar(definition: dict, text: str) -> Any:
    kind = definition.get("type")
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?[0-9]{1,18}", text) else _BAD
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, _BAD)
    return text


def _string(definition: dict, value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: not a string"]
    errors = []
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > definition.get("maxLength", size) or size < definition.get("minLength", 0):
        errors.append(f"{where}: {size} bytes outside its length bounds")
    if "maxGraphemes" in definition:
        graphemes = sum(1 for _ in _GRAPHEME.finditer(value))
        if graphemes > definition["maxGraphemes"]:
            errors.append(f"{where}: {graphemes} graphemes, more than {definition['maxGraphemes']}")
    if "enum" in definition and value not in definition["enum"]:
        errors.append(f"{where}: {value!r} not one of {definition['enum']}")
    if "const" in definition and value != definition["const"]:
        errors.append(f"{where}: must be {definition['const']!r}")
    pattern = _FORMATS.get(definition.get("format", ""))
    if pattern is not None and not pattern.fullmatch(value):
        errors.append(f"{where}: {value[:80]!r} is not a valid {definition['format']}")
    return errors
