"""Requests and answers checked against Meta's own node specs (../shared/specs/meta-graph/*.json:
`apis[]` of method/endpoint/params per node type, `fields[]` of name/type), never copied here.

The node specs name enum types without their values; the few enums socialcare uses are checked
against the values Meta documents. Graph's generic parameters (fields, limit, cursors, since...)
apply to every call and are not listed per endpoint.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..specs import specs_dir
from .wire import parse_time

NODES = ("Page", "PagePost", "Post", "Comment", "IGUser", "IGMedia", "IGComment")
GENERIC_PARAMS = {
    "access_token", "appsecret_proof", "appsecret_time", "fields", "limit", "after", "before", "since",
    "until", "summary", "pretty", "suppress_http_code", "method", "format", "debug", "locale",
    "include_headers", "date_format", "transport",
}  # fmt: skip
KNOWN_ENUMS = {  # the enum type's suffix -> values Meta documents for it
    "comments_filter_enum_param": {"toplevel", "stream"},
    "comments_order_enum_param": {"chronological", "reverse_chronological"},
    "comments_live_filter_enum_param": {"filter_low_quality", "no_filter"},
}
META_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")
LIST_KEYS = {"data", "paging", "summary"}
PAGING_KEYS = {"cursors", "next", "previous"}
ERROR_TYPES = {"message": str, "type": str, "code": int, "error_subcode": int, "fbtrace_id": str}


def expected_meta_spec_dir() -> Path | None:
    folder = specs_dir()
    return folder / "meta-graph" if folder else None


def find_meta_specs() -> Path | None:
    folder = expected_meta_spec_dir()
    return folder if folder and all((folder / f"{n}.json").is_file() for n in NODES) else None


def missing_meta_specs() -> str | None:
    """Why Meta's answers cannot be checked here, or None when the node specs are there."""
    folder = expected_meta_spec_dir()
    if folder is None:
        return "no specs folder beside the clone (set SOCIALCARE_SPECS_DIR)"
    if not folder.is_dir():
        return f"no Meta node specs at {folder}"
    absent = [f"{n}.json" for n in NODES if not (folder / f"{n}.json").is_file()]
    return f"no {', '.join(absent)} in {folder}" if absent else None


def _param_error(kind: str, value: str) -> str | None:
    """Why `value` is not of Meta's parameter type `kind`, or None when it is."""
    for suffix, allowed in KNOWN_ENUMS.items():
        if kind.endswith(suffix):
            return None if value in allowed else f"must be one of {sorted(allowed)}, got {value!r}"
    checks = {
        "bool": lambda v: v.lower() in ("true", "false", "1", "0"),
        "int": lambda v: re.fullmatch(r"-?\d+", v) is not None,
        "unsigned int": str.isdigit,
        "float": lambda v: re.fullmatch(r"-?\d+(\.\d+)?", v) is not None,
        "datetime": lambda v: parse_time(v) is not None,
    }
    check = checks.get(kind)
    return None if check is None or check(value) else f"must be {kind}, got {value!r}"


class MetaSpec:
    def __init__(self, folder: Path):
        self.folder = folder
        self.nodes = {n: json.loads((folder / f"{n}.json").read_text(encoding="utf-8")) for n in NODES}
        self.fields = {n: {f["name"]: f["type"] for f in d["fields"]} for n, d in self.nodes.items()}

    def has_field(self, node: str, name: str) -> bool:
        return name in self.fields.get(node, {})

    def api(self, node: str, method: str, edge: str | None) -> dict | None:
        for api in self.nodes.get(node, {}).get("apis", []):
            if api["method"] == method and api.get("endpoint") == edge:
                return api
        return None

    def edge_return(self, node: str, edge: str) -> str | None:
        api = self.api(node, "GET", edge)
        return api["return"] if api else None

    # ---- requests --------------------------------------------------------------------------
    def request_errors(
        self, node: str, method: str, edge: str | None, params: dict[str, str]
    ) -> list[tuple[str, bool]]:
        """[(message, whether Meta refuses the call for it)]: Meta refuses a value of the wrong type
        or a missing required parameter; it ignores unknown parameters and answers unknown paths."""
        api = self.api(node, method, edge)
        target = f"{method} /{{{node}}}" + (f"/{edge}" if edge else "")
        if api is None:
            return [(f"{target} is not an operation of {node}", False)]
        declared = {p["name"]: p for p in api.get("params", [])}
        problems: list[tuple[str, bool]] = []
        for name, value in params.items():
            if name in declared:
                why = _param_error(declared[name]["type"], value)
                if why:
                    problems.append((f"{target}: parameter {name} {why}", True))
            elif name not in GENERIC_PARAMS:
                problems.append((f"{target}: parameter {name} is not one the spec lists", False))
        for name, param in declared.items():
            if param.get("required") and name not in params:
                problems.append((f"{target}: required parameter {name} is missing", True))
        return problems

    # ---- answers ----------------------------------------------------------------------------
    def response_errors(self, node: str, method: str, edge: str | None, body) -> list[str]:
        if not isinstance(body, dict):
            return [f"the answer is not a JSON object: {body!r:.80}"]
        if "error" in body:
            return self.error_shape(body["error"])
        api = self.api(node, method, edge)
        returns = api["return"] if api else node
        if method == "POST" and edge is None and set(body) == {"success"}:  # an update answers so
            return [] if isinstance(body["success"], bool) else ["`success` is not a boolean"]
        if method == "GET" and edge is not None:
            return self._list_errors(returns, body, f"{node}/{edge}")
        return self._node_errors(returns, body, returns)

    def error_shape(self, error) -> list[str]:
        if not isinstance(error, dict):
            return ["`error` is not an object"]
        problems = [f"error lacks `{k}`" for k in ("message", "type", "code", "fbtrace_id") if k not in error]
        problems += [
            f"error `{k}` is not {t.__name__}"
            for k, t in ERROR_TYPES.items()
            if k in error and type(error[k]) is not t
        ]
        return problems

    def _list_errors(self, node: str, body: dict, where: str) -> list[str]:
        problems = [f"{where}: unexpected key `{k}` in a list answer" for k in body if k not in LIST_KEYS]
        if not isinstance(body.get("data"), list):
            return problems + [f"{where}: `data` is not a list"]
        paging = body.get("paging", {})
        problems += [f"{where}: unexpected paging key `{k}`" for k in paging if k not in PAGING_KEYS]
        cursors = paging.get("cursors", {})
        problems += [
            f"{where}: cursor `{k}` is not a string" for k, v in cursors.items() if not isinstance(v, str)
        ]
        for i, item in enumerate(body["data"]):
            problems += self._node_errors(node, item, f"{where}[{i}]")
        return problems

    def _node_errors(self, node: str, obj, where: str) -> list[str]:
        if not isinstance(obj, dict):
            return [f"{where}: a {node} is not an object"]
        if node not in self.fields:  # a type without a node spec here (Object, Application, User...)
            return []
        problems = []
        for name, value in obj.items():
            edge_node = self.edge_return(node, name)
            if name not in self.fields[node] and edge_node and isinstance(value, dict):
                problems += self._list_errors(edge_node, value, f"{where}.{name}")
            elif name not in self.fields[node]:
                problems.append(f"{where}: {node} has no field `{name}`")
            else:
                problems += self._value_errors(self.fields[node][name], value, f"{where}.{name}")
        return problems

    def _value_errors(self, kind: str, value, where: str) -> list[str]:
        simple = {"string": str, "bool": bool, "float": (int, float)}
        if kind in simple:
            ok = isinstance(value, simple[kind]) and not (kind == "float" and isinstance(value, bool))
        elif kind in ("int", "unsigned int"):
            ok = type(value) is int and (kind == "int" or value >= 0)
        elif kind == "datetime":
            ok = isinstance(value, str) and META_TIME.match(value) is not None
        elif kind.startswith("list"):
            ok = isinstance(value, list)
        elif kind in self.fields:
            return self._node_errors(kind, value, where)
        else:  # Object, map<...>, and node types without a spec here
            ok = isinstance(value, dict)
        return [] if ok else [f"{where}: {value!r:.60} is not {kind}"]


@lru_cache(maxsize=4)
def load_meta_spec(folder: Path) -> MetaSpec:
    return MetaSpec(Path(folder))
