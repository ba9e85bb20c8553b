"""Validation of X API requests and responses against the official OpenAPI description.

The spec is read from ../shared/specs beside the clone (or $SOCIALCARE_SPECS_DIR); it is never
copied into the project. openapi-core does the work; two gaps are filled here:
- X answers errors as `application/problem+json`, which openapi-core does not parse by default;
- openapi-core ignores the Problem schema's discriminator, so a Problem body is also checked
  against the schema its `type` maps to (e.g. resource-not-found requires `resource_id`).
Security requirements are not checked here: the simulator answers auth failures itself (401/403).
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path

from ..specs import specs_dir

SPEC_RELATIVE = Path("x") / "openapi-2.159.json"
SPEC_HOST = "https://api.x.com"  # the spec's server: requests are matched as if sent there


def expected_x_spec_path() -> Path | None:
    folder = specs_dir()
    return folder / SPEC_RELATIVE if folder else None


def find_x_spec() -> Path | None:
    path = expected_x_spec_path()
    return path if path and path.is_file() else None


def missing_x_spec() -> str | None:
    """Why X's answers cannot be checked here, or None when the spec is there."""
    path = expected_x_spec_path()
    if path is None:
        return "no specs folder beside the clone (set SOCIALCARE_SPECS_DIR)"
    return None if path.is_file() else f"no X API description at {path}"


def _message(exc: Exception) -> str:
    for error in (exc, exc.__cause__):
        details = getattr(error, "schema_errors", None)
        if details:
            return "; ".join(getattr(e, "message", str(e)) for e in details)
    return str(exc.__cause__ or exc)


class _Request:
    """The openapi-core Request protocol over the simulator's plain request data."""

    def __init__(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict,
        body: bytes | None,
        content_type: str,
    ):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url, self.path, self.method = SPEC_HOST, path, method.lower()
        self.body, self.content_type = body or None, content_type
        self.parameters = RequestParameters(query=ImmutableMultiDict(query), header=Headers(headers))


class _Response:
    def __init__(self, status: int, content_type: str, body: bytes, headers: dict):
        from werkzeug.datastructures import Headers

        self.status_code, self.content_type, self.data = status, content_type, body
        self.headers = Headers(headers)


class XSpec:
    """Validators built once per spec file (building them is the slow part)."""

    def __init__(self, path: Path):
        from jsonschema_path import SchemaPath
        from openapi_core.validation.request.validators import (
            V30RequestBodyValidator,
            V30RequestParametersValidator,
        )
        from openapi_core.validation.response.validators import V30ResponseValidator
        from openapi_core.validation.schemas import oas30_read_schema_validators_factory

        self.path = path
        self._spec = SchemaPath.from_dict(json.loads(path.read_text(encoding="utf-8")))
        problem_json = {"application/problem+json": json.loads}
        self._params = V30RequestParametersValidator(self._spec, extra_media_type_deserializers=problem_json)
        self._body = V30RequestBodyValidator(self._spec, extra_media_type_deserializers=problem_json)
        self._response = V30ResponseValidator(self._spec, extra_media_type_deserializers=problem_json)
        self._schemas = oas30_read_schema_validators_factory
        self._problem_validators: dict[str, object] = {}  # Problem type's schema name -> its validator
        self._lock = threading.Lock()  # validators keep per-call state; keep them on one thread

    def request_errors(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict,
        body: bytes | None,
        content_type: str,
    ) -> tuple[bool, list[tuple[str | None, str]]]:
        """(operation exists in the spec, [(parameter name or None, message)])."""
        from openapi_core.templating.paths.exceptions import PathError

        request = _Request(method, path, query, headers, body, content_type)
        found, errors = True, []
        with self._lock:
            for validator in (self._params, self._body):
                for exc in validator.iter_errors(request):
                    if isinstance(exc, PathError):
                        return False, [(None, f"{method} {path} is not an operation of the X API")]
                    errors.append((getattr(exc, "name", None), _message(exc)))
        return found, errors

    def response_errors(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        status: int,
        content_type: str,
        body: bytes,
        headers: dict,
    ) -> list[str]:
        request = _Request(method, path, query, {}, None, "")
        response = _Response(status, content_type, body, headers)
        with self._lock:
            errors = [_message(exc) for exc in self._response.iter_errors(request, response)]
            if not errors and content_type.startswith("application/problem+json"):
                errors = self._problem_errors(json.loads(body))
        return errors

    def _problem_errors(self, problem: dict) -> list[str]:
        mapping = (
            self._spec / "components" / "schemas" / "Problem" / "discriminator" / "mapping"
        ).read_value()
        target = mapping.get(problem.get("type"))
        if target is None:
            return [f"Problem type {problem.get('type')!r} is not one the spec lists"]
        name = target.rsplit("/", 1)[-1]
        if name not in self._problem_validators:  # built once: building is the slow part
            schema = self._spec / "components" / "schemas" / name
            self._problem_validators[name] = self._schemas.create(self._spec, schema)
        try:
            self._problem_validators[name].validate(problem)
        except Exception as exc:  # InvalidSchemaValue: report, never raise into the server
            return [f"{name}: {_message(exc)}"]
        return []


@lru_cache(maxsize=4)
def load_x_spec(path: Path) -> XSpec:
    return XSpec(Path(path))
