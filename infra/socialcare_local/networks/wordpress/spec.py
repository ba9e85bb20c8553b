"""Checks of the simulated WordPress against the route schemas WordPress itself publishes
(../shared/specs/wordpress/rest-api-comments.json: each route's methods and arguments, and
example answers). Every request's parameters are checked against its route's arguments (names,
types, enums, bounds, WordPress's own date-time rule), every comment answered against the example
comment's fields and types."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..specs import specs_dir

SPEC_FILE = Path("wordpress") / "rest-api-comments.json"
# rest_parse_date: an ISO 8601 date-time whose zone is optional (no zone: the site's time zone).
WP_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:\d{2})?)?$")
_JSON_TYPES = {
    str: "string",
    int: "integer",
    bool: "boolean",
    dict: "object",
    list: "array",
    type(None): "null",
}


def expected_wordpress_spec_path() -> Path | None:
    folder = specs_dir()
    return folder / SPEC_FILE if folder else None


def find_wordpress_spec() -> Path | None:
    path = expected_wordpress_spec_path()
    return path if path and path.is_file() else None


def missing_wordpress_spec() -> str | None:
    return (
        None
        if find_wordpress_spec()
        else f"official WordPress route schemas not found at {expected_wordpress_spec_path()}"
    )


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), "unknown")


@dataclass
class WordPressSpec:
    routes: dict[str, dict]
    comment_example: dict

    @classmethod
    def load(cls, path: Path) -> WordPressSpec:
        data = json.loads(Path(path).read_text())
        return cls(routes=data["routes"], comment_example=data["examples"]["CommentModel"])

    def _endpoint(self, method: str, route: str) -> dict | None:
        for template, described in self.routes.items():
            if re.fullmatch(template, route):
                return next((e for e in described["endpoints"] if method in e["methods"]), None)
        return None

    def request_errors(self, method: str, route: str, query: list[tuple[str, str]], body: Any) -> list[str]:
        endpoint = self._endpoint(method, route)
        if endpoint is None:
            return [f"no {method} {route} in WordPress's routes"]
        args, errors = endpoint["args"], []
        given: list[tuple[str, Any, bool]] = [(name, value, True) for name, value in query]
        if isinstance(body, dict):
            given += [(name, value, False) for name, value in body.items()]
        for name, value, textual in given:
            name = name.removesuffix("[]")
            if name not in args:
                errors.append(f"unknown parameter {name!r}")
                continue
            problem = _arg_problem(args[name], value, textual)
            if problem:
                errors.append(f"{name}: {problem}")
        return errors

    def comment_errors(self, comment: Any, context: str) -> list[str]:
        """A comment answered: the example's fields with their types; edit-only fields (those the
        POST route accepts, and content.raw) only in the edit context."""
        if not isinstance(comment, dict):
            return ["a comment that is not an object"]
        post_args = self._endpoint("POST", "/wp/v2/comments")["args"]
        allowed = set(self.comment_example) | {"_links"}
        if context == "edit":
            allowed |= set(post_args)
        errors = [f"unknown field {name!r}" for name in comment if name not in allowed]
        for name, example in self.comment_example.items():
            if name not in comment:
                errors.append(f"missing field {name!r}")
            elif _json_type(comment[name]) != _json_type(example):
                errors.append(f"{name} is {_json_type(comment[name])}, not {_json_type(example)}")
        content = comment.get("content")
        if isinstance(content, dict):
            keys = {"rendered", "raw"} if context == "edit" else {"rendered"}
            errors += [f"unknown field content.{k}" for k in content if k not in keys]
            errors += [f"content.{k} is not a string" for k in content if not isinstance(content[k], str)]
        return errors


def _arg_problem(arg: dict, value: Any, textual: bool) -> str | None:
    kind = arg.get("type")
    if kind == "integer":
        number = _integer(value, textual)
        if number is None:
            return f"{value!r} is not an integer"
        if "minimum" in arg and number < arg["minimum"]:
            return f"{number} is below {arg['minimum']}"
        if "maximum" in arg and number > arg["maximum"]:
            return f"{number} is above {arg['maximum']}"
    elif kind == "array":
        items = value.split(",") if textual and isinstance(value, str) else value
        if not isinstance(items, list):
            return "not a list"
        if arg.get("items", {}).get("type") == "integer" and any(_integer(i, textual) is None for i in items):
            return f"{value!r} is not a list of integers"
    elif kind == "string":
        if not isinstance(value, str):
            return f"{value!r} is not a string"
        if "enum" in arg and value not in arg["enum"]:
            return f"{value!r} is not one of {arg['enum']}"
        if arg.get("format") == "date-time" and not WP_DATE_TIME.fullmatch(value):
            return f"{value!r} is not a date-time WordPress reads"
    elif kind == "object" and not isinstance(value, dict | str):
        return f"{value!r} is not an object"
    return None


def _integer(value: Any, textual: bool) -> int | None:
    if textual and isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value)
    return value if type(value) is int else None
