"""A package's names loaded from their modules on first use (PEP 562): importing the package, or
one small module of it, then costs nothing more at cold start."""

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_names(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """The package's module `__getattr__`: `homes` maps each name to its module, relative to the
    package (".schema"). A name once loaded is kept in the package's namespace."""

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(homes[name], package), name)
        setattr(import_module(package), name, value)
        return value

    return __getattr__
