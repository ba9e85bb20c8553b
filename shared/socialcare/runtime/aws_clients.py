"""boto3 clients built without botocore's walk of every service it knows.

Before loading a service's model, botocore's loader lists every service that has a file of that
kind (`list_available_services`): about 440 directories and their version folders, once for the
model and once for its endpoint rules, some 45 ms of a cold start, only to check that the name
exists. Here the default session's loader answers that check by looking at the one service asked
for (its version folders, which botocore reads next anyway); the full list is still walked if a
caller iterates it (an unknown service's error message, `get_available_services`).
"""

from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader


class _KnownServices(Sequence):
    """What `list_available_services` returns: membership of one name is checked on its own."""

    def __init__(self, loader: Loader, type_name: str, walk_all):
        self._loader = loader
        self._type_name = type_name
        self._walk_all = walk_all
        self._all: list[str] | None = None

    def __contains__(self, service_name: object) -> bool:
        if (
            not isinstance(service_name, str)
            or not service_name
            or "/" in service_name
            or "\\" in service_name
        ):
            return False
        try:
            self._loader.determine_latest_version(service_name, self._type_name)
        except DataNotFoundError:
            return False
        return True

    def _listed(self) -> list[str]:
        if self._all is None:
            self._all = self._walk_all(self._type_name)
        return self._all

    def __getitem__(self, index):
        return self._listed()[index]

    def __len__(self) -> int:
        return len(self._listed())

    def __iter__(self):
        return iter(self._listed())


def quicken(loader: Loader) -> Loader:
    """Make this loader check a service's existence without listing every service (idempotent)."""
    if not getattr(loader, "_socialcare_quick", False):
        walk_all = loader.list_available_services  # botocore's own (instance-cached) walk
        known: dict[str, _KnownServices] = {}

        def list_available_services(type_name: str) -> _KnownServices:
            if type_name not in known:
                known[type_name] = _KnownServices(loader, type_name, walk_all)
            return known[type_name]

        loader.list_available_services = list_available_services
        loader._socialcare_quick = True
    return loader


def client(service: str, **options: Any) -> Any:
    """boto3.client(service, **options), on boto3's default session with its loader quickened."""
    session = boto3._get_default_session()  # noqa: SLF001 - the session boto3.client itself uses
    quicken(session._loader)  # noqa: SLF001 - the session's botocore data loader
    return session.client(service, **options)
