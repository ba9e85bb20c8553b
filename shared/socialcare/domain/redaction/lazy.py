"""Patterns compiled by their first use: every cold start imports the redactor (the configuration
schema checks templates with it), but most scheduled invocations never redact anything."""

import re


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`; compiles on the first method called on it."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self._source = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str):  # only for what the slots lack: search, finditer, sub, ...
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self._source, self._flags)
        return getattr(compiled, name)
