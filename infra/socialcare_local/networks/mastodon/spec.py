"""Validation of Mastodon API requests and answers against the official OpenAPI 3.1 description.

The spec is read from ../shared/specs beside the clone (or $SOCIALCARE_SPECS_DIR), never copied.
openapi-core checks parameters, bodies and answers; two things are done here:
- a query parameter the operation does not declare is a violation (openapi-core ignores them). An
  array parameter may be sent as `name[]`, as Mastodon (Rails) reads it;
- the spec declares the `Idempotency-Key` header as an object while describing it as "any arbitrary
  string" (what Mastodon reads): it is checked as a string of at most 255 characters instead.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path

from ..specs import specs_dir

SPEC_RELATIVE = Path("mastodon") / "openapi-4.7.0.json"
SPEC_HOST = "https://mastodon.example"  # the spec's server (its hostname variable's default)
_PLACEHOLDER = re.compile(r"\{[^}]+\}")


def expected_mastodon_spec_path() -> Path | None:
    folder = specs_dir()
    return folder / SPEC_RELATIVE if folder else None


def find_mastodon_spec() -> Path | None:
    path = expected_mastodon_spec_path()
    return path if path and path.is_file() else None


def missing_mastodon_spec() -> str | None:
    path = expected_mastodon_spec_path()
    if path is None:
        return "no specs folder beside the clone (set SOCIALCARE_SPECS_DIR)"
    return None if path.is_file() else f"no Mastodon API description at {path}"


def _message(exc: Exception) -> str:
    for error in (exc, exc.__cause__):
        details = getattr(error, "schema_errors", None)
        if details:
            return "; ".join(getattr(e, "message", str(e)) for e in details)
    return str(exc.__cause__ or exc)


class _Request:
    def __init__(self, method, path, query, headers, body, content_type):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url, self.path, self.method = SPEC_HOST, path, method.lower()
        self.body, self.content_type = body or None, content_type
        self.parameters = RequestParameters(query=ImmutableMultiDict(query), header=Headers(headers))


class _Response:
    def __init__(self, status, content_type, body, headers):
        from werkzeug.datastructures import Headers

        self.status_code, self.content_type, self.data = status, content_type, body
        self.headers = Headers(headers)


class MastodonSpec:
    def __init__(self, path: Path):
        from jsonschema_path import SchemaPath
        from openapi_core.validation.request.validators import (
            V31RequestBodyValidator,
            V31RequestParametersValidator,
        )
        from openapi_core.validation.response.validators import V31ResponseValidator

        self.path = path
        self._raw = json.loads(path.read_text(encoding="utf-8"))
        spec = SchemaPath.from_dict(self._raw)
        self._params = V31RequestParametersValidator(spec)
        self._body = V31RequestBodyValidator(spec)
        self._response = V31ResponseValidator(spec)
        self._lock = threading.Lock()
        self._operations = [
            (re.compile("^" + _PLACEHOLDER.sub("[^/]+", template) + "$"), template)
            for template in sorted(self._raw["paths"], key=lambda t: t.count("{"))
        ]

    def _operation(self, method: str, path: str) -> dict | None:
        for pattern, template in self._operations:
            if pattern.match(path) and method.lower() in self._raw["paths"][template]:
                return self._raw["paths"][template][method.lower()]
        return None

    def request_errors(self, method, path, query, headers, body, content_type) -> tuple[bool, list[str]]:
        """(operation exists in the spec, messages)."""
        operation = self._operation(method, path)
        if operation is None:
            return False, [f"{method} {path} is not an operation of the Mastodon API"]
        declared = {p["name"]: p for p in operation.get("parameters", []) if "name" in p}
        errors = []
        for name, _ in query:
            bare = name.removesuffix("[]")
            param = declared.get(bare)
            if param is None or param.get("in") != "query":
                errors.append(f"query parameter {name!r} is not one {method} {path} takes")
            elif name.endswith("[]") and param.get("schema", {}).get("type") != "array":
                errors.append(f"query parameter {name!r}: {bare} is not an array")
        plain = [(n, v) for n, v in query if not n.endswith("[]")]
        key = next((v for k, v in headers.items() if k.lower() == "idempotency-key"), None)
        if key is not None and not 0 < len(key) <= 255:
            errors.append("Idempotency-Key must be a string of 1 to 255 characters")
        checked = {k: v for k, v in headers.items() if k.lower() != "idempotency-key"}
        request = _Request(method, path, plain, checked, body, content_type)
        with self._lock:
            for validator in (self._params, self._body):
                errors += [_message(exc) for exc in validator.iter_errors(request)]
        return True, errors

    def response_errors(self, method, path, query, status, content_type, body, headers) -> list[str]:
        request = _Request(method, path, [], {}, None, "")
        response = _Response(status, content_type, body, headers)
        with self._lock:
            return [_message(exc) for exc in self._response.iter_errors(request, response)]


@lru_cache(maxsize=4)
def load_mastodon_spec(path: Path) -> MastodonSpec:
    return MastodonSpec(Path(path))
