"""Shared by the Meta simulator's contract tests: a brand's page and Instagram account on a fake
clock, and small helpers that call the Graph over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests

from socialcare_local.networks.meta import MetaSimulator, expected_meta_spec_dir, find_meta_specs

SPECS = find_meta_specs()
needs_spec = pytest.mark.skipif(
    SPECS is None,
    reason=f"Meta node specs not found in {expected_meta_spec_dir()}; CI has ../shared/specs by the clone",
)
PAGE, IG, OTHER_PAGE = "104857600", "17841400000000001", "204857600"
PAGE_TOKEN, IG_TOKEN, OTHER_TOKEN = "page-token", "ig-token", "other-page-token"  # noqa: S105
POST = f"{PAGE}_880001"
MEDIA = "17900000000000100"
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


def brand_world(clock, **kwargs) -> MetaSimulator:
    """A started simulator with the brand's page (one post), its Instagram account (one media) and
    another page; every exchange checked against the specs when they are present."""
    sim = MetaSimulator(clock, spec_dir=SPECS, **kwargs)
    sim.add_page(PAGE, "Acme", PAGE_TOKEN)
    sim.add_page(OTHER_PAGE, "Other", OTHER_TOKEN)
    sim.add_ig_user(IG, "acme", IG_TOKEN, page_id=PAGE)
    sim.publish_page_post(PAGE, POST, "Our winter collection is here!", T0 - timedelta(hours=1))
    sim.publish_media(IG, MEDIA, "New drop", T0 - timedelta(hours=1))
    sim.start()
    return sim


def get(sim, path, token=PAGE_TOKEN, **params):
    return requests.get(f"{sim.base_url}/v25.0{path}", params={"access_token": token, **params}, timeout=5)


def post(sim, path, token=PAGE_TOKEN, timeout=5, **data):
    return requests.post(f"{sim.base_url}/v25.0{path}", data={"access_token": token, **data}, timeout=timeout)


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["data"]]


def error(response) -> dict:
    return response.json()["error"]


def usage(response, object_id=PAGE) -> dict:
    return json.loads(response.headers["X-Business-Use-Case-Usage"])[object_id][0]


def comment(sim, n, minute, parent=POST, author=("42", "Jane Doe"), message=None) -> str:
    return sim.comment(
        parent, f"880001_{n}", *author, message or f"comment {n}", T0 + timedelta(minutes=minute)
    )
