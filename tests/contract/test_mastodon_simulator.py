"""The simulated Mastodon behaves like Mastodon where clients notice (paging by id, visibility,
Idempotency-Key, rate-limit headers), and answers only what the official spec allows.

Real HTTP (requests) against the running simulator; with the official spec beside the clone every
exchange is validated and none may be off it."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from socialcare_local.networks.mastodon import (
    Fault,
    MastodonSimulator,
    expected_mastodon_spec_path,
    find_mastodon_spec,
)

pytestmark = pytest.mark.contract

SPEC = find_mastodon_spec()
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
BRAND_TOKEN, JANE_TOKEN = "brand-token", "jane-token"  # noqa: S105 - the simulator's own


@pytest.fixture
def sim():
    if SPEC is None:
        pytest.skip(
            f"official Mastodon spec not found at {expected_mastodon_spec_path()}; CI has ../shared/specs"
        )
    sim = MastodonSimulator(lambda: NOW, spec_path=SPEC, rate_limit=20)
    sim.brand = sim.add_account("acme", "social.example")
    sim.jane = sim.add_account("jane", "mastodon.social")
    sim.add_instance("social.example", max_characters=640)
    sim.grant_token(sim.brand, BRAND_TOKEN)
    sim.grant_token(sim.jane, JANE_TOKEN)
    sim.start()
    yield sim
    sim.stop()
    assert sim.spec_violations == []


def get(sim, path: str, token: str = BRAND_TOKEN, **params) -> requests.Response:
    return requests.get(
        sim.base_url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )


def post_status(sim, body: dict, key: str | None = None, token: str = BRAND_TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}
    return requests.post(sim.base_url + "/api/v1/statuses", json=body, headers=headers, timeout=5)


def mentions(sim, count: int) -> list[str]:
    return [
        sim.publish(
            author_id=sim.jane,
            text=f"@acme@social.example question {n}",
            created_at=T0 + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def ids(response: requests.Response) -> list[str]:
    return [each["id"] for each in response.json()]


def test_min_id_gives_the_page_just_newer_newest_first_and_max_id_pages_down(sim):
    mentions(sim, 7)
    everything = ids(get(sim, "/api/v1/notifications", **{"types[]": "mention", "limit": 80}))
    assert everything == sorted(everything, key=int, reverse=True) and len(everything) == 7
    oldest_first = everything[::-1]
    newer = get(sim, "/api/v1/notifications", **{"types[]": "mention", "min_id": oldest_first[1], "limit": 3})
    assert ids(newer) == oldest_first[2:5][::-1], "the three just newer than min_id, newest first"
    assert 'rel="prev"' in newer.headers["Link"] and f"min_id={oldest_first[4]}" in newer.headers["Link"]
    older = get(sim, "/api/v1/notifications", max_id=everything[2], limit=3)
    assert ids(older) == everything[3:6]
    assert ids(get(sim, "/api/v1/notifications", since_id=everything[1])) == everything[:1]
    assert ids(get(sim, "/api/v1/notifications", **{"types[]": "follow"})) == []


def test_a_notification_carries_the_mentioning_status_as_the_brands_instance_shows_it(sim):
    [status] = mentions(sim, 1)
    [notification] = get(sim, "/api/v1/notifications", **{"types[]": "mention"}).json()
    assert notification["type"] == "mention" and notification["status"]["id"] == status
    assert notification["status"]["account"]["acct"] == "jane@mastodon.social"
    assert "@<span>acme</span>" in notification["status"]["content"]


def test_the_same_idempotency_key_makes_one_status(sim):
    [status] = mentions(sim, 1)
    body = {"status": "@jane@mastodon.social thanks", "in_reply_to_id": status, "visibility": "unlisted"}
    first, again = post_status(sim, body, key="k-1"), post_status(sim, body, key="k-1")
    assert first.status_code == again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert len(sim.created_statuses()) == 1
    assert post_status(sim, body, key="k-2").json()["id"] != first.json()["id"]


def test_a_direct_status_is_seen_only_by_those_it_mentions(sim):
    private = sim.publish(
        author_id=sim.jane, text="@acme@social.example my card number is…", created_at=T0, visibility="direct"
    )
    outsider = sim.add_account("eve", "mastodon.social")
    sim.grant_token(outsider, "eve-token")
    assert get(sim, f"/api/v1/statuses/{private}").json()["visibility"] == "direct"
    assert get(sim, f"/api/v1/statuses/{private}", token="eve-token").status_code == 404
    assert ids(get(sim, f"/api/v1/accounts/{sim.jane}/statuses", token="eve-token")) == []


def test_context_gives_the_thread_root_first_and_every_reply_below(sim):
    [root] = mentions(sim, 1)
    reply = post_status(sim, {"status": "@jane@mastodon.social on it", "in_reply_to_id": root}).json()["id"]
    follow = post_status(sim, {"status": "@acme thanks", "in_reply_to_id": reply}, token=JANE_TOKEN).json()[
        "id"
    ]
    context = get(sim, f"/api/v1/statuses/{follow}/context").json()
    assert ids_of(context["ancestors"]) == [root, reply] and context["descendants"] == []
    assert ids_of(get(sim, f"/api/v1/statuses/{root}/context").json()["descendants"]) == [reply, follow]


def ids_of(statuses: list[dict]) -> list[str]:
    return [each["id"] for each in statuses]


def test_the_instance_says_its_status_limit_and_too_long_a_status_is_refused(sim):
    statuses = requests.get(sim.base_url + "/api/v2/instance", timeout=5).json()["configuration"]["statuses"]
    assert statuses["max_characters"] == 640
    # A link counts as 23 characters and @user@domain as @user, as Mastodon counts.
    fits = "@jane@mastodon.social " + "https://example.com/" + "a" * 300 + " " + "x" * 600
    assert post_status(sim, {"status": fits}).status_code == 200
    refused = post_status(sim, {"status": "x" * 641})
    assert refused.status_code == 422 and "limit" in refused.json()["error"]


def test_replying_to_a_status_that_is_not_there_is_404_and_a_bad_token_401(sim):
    assert post_status(sim, {"status": "hi", "in_reply_to_id": "999999999"}).status_code == 404
    assert get(sim, "/api/v1/notifications", token="nope").status_code == 401


def test_rate_limit_headers_count_down_to_a_429_with_an_iso_reset(sim):
    answers = [get(sim, "/api/v1/notifications") for _ in range(21)]
    first, last = answers[0], answers[-1]
    assert first.headers["X-RateLimit-Limit"] == "20" and first.headers["X-RateLimit-Remaining"] == "19"
    assert last.status_code == 429 and last.headers["X-RateLimit-Remaining"] == "0"
    assert datetime.fromisoformat(last.headers["X-RateLimit-Reset"]) == NOW + timedelta(minutes=5)


def test_faults_fail_the_next_matching_request_once(sim):
    sim.fail_next("GET", "/api/v1/notifications", Fault.status(503), Fault.malformed())
    assert get(sim, "/api/v1/notifications").status_code == 503
    with pytest.raises(ValueError):
        get(sim, "/api/v1/notifications").json()
    assert get(sim, "/api/v1/notifications").status_code == 200


def test_each_status_of_the_account_names_the_application_that_posted_it(sim):
    [status] = mentions(sim, 1)
    staff = sim.publish(
        author_id=sim.brand, text="@jane@mastodon.social hi", created_at=NOW, in_reply_to_id=status
    )
    ours = post_status(sim, {"status": "@jane@mastodon.social thanks", "in_reply_to_id": status}).json()
    app = get(sim, "/api/v1/apps/verify_credentials").json()["name"]
    assert ours["application"]["name"] == app
    assert get(sim, f"/api/v1/statuses/{staff}").json()["application"]["name"] != app
