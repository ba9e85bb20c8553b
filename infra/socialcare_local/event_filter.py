"""Lambda event filtering (FilterCriteria): the EventBridge pattern subset Lambda supports.

A record is delivered when it matches any of the patterns; with no patterns everything matches.
Supported: exact values (strings, numbers, booleans, null), nested objects, "exists", "prefix",
"suffix", "equals-ignore-case", "anything-but" (values or prefix/suffix), "numeric", "wildcard", "$or".
"""

import fnmatch
import operator
from collections.abc import Iterable, Mapping
from typing import Any

_MISSING = object()
_NUMERIC_OPS = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def matches_any(patterns: Iterable[Mapping[str, Any]], event: Mapping[str, Any]) -> bool:
    patterns = list(patterns)
    return not patterns or any(matches(pattern, event) for pattern in patterns)


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Every field named in the pattern must match (AND); values in a list are alternatives (OR)."""
    fields = event if isinstance(event, Mapping) else {}
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(branch, event) for branch in expected):
                return False
            continue
        actual = fields.get(key, _MISSING)
        if isinstance(expected, Mapping):
            if not matches(expected, actual if isinstance(actual, Mapping) else {}):
                return False
        elif isinstance(expected, list):
            if not _field_matches(expected, actual):
                return False
        else:
            raise ValueError(f"filter pattern field {key!r} must be a list or an object, not {expected!r}")
    return True


def _field_matches(matchers: list[Any], actual: Any) -> bool:
    present = actual is not _MISSING
    values = actual if isinstance(actual, list) else [actual]
    for matcher in matchers:
        if isinstance(matcher, Mapping) and "exists" in matcher:
            if bool(matcher["exists"]) == present:
                return True
        elif present and any(_value_matches(matcher, value) for value in values):
            return True
    return False


def _value_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return _equal(matcher, value)
    ((kind, arg),) = matcher.items()
    if kind in ("prefix", "suffix"):
        return _affix(kind, arg, value)
    if kind == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == str(arg).casefold()
    if kind == "wildcard":
        return isinstance(value, str) and fnmatch.fnmatchcase(
            value, str(arg).replace("[", "[[]").replace("?", "[?]")
        )
    if kind == "anything-but":
        if isinstance(arg, Mapping):
            return not _value_matches(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_equal(item, value) for item in excluded)
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        pairs = zip(arg[0::2], arg[1::2], strict=True)
        return all(_NUMERIC_OPS[op](value, bound) for op, bound in pairs)
    raise ValueError(f"filter operator {kind!r} is not supported")


def _affix(kind: str, arg: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(arg, Mapping):  # {"prefix": {"equals-ignore-case": "abc"}}
        value, arg = value.casefold(), str(arg.get("equals-ignore-case", "")).casefold()
    return value.startswith(arg) if kind == "prefix" else value.endswith(arg)


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool) or expected is None or value is None:
        return type(expected) is type(value) and expected == value
    if isinstance(expected, (int, float)):
        return isinstance(value, (int, float)) and float(expected) == float(value)
    return expected == value
