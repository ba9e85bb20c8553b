"""The simulated WordPress behaves like WordPress where clients notice, and answers only what its
route schemas allow. Real HTTP (requests) against the running simulator; the site is named by the
Host header, as on a server hosting several blogs."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from socialcare_local.networks.wordpress import (
    Fault,
    WordPressSimulator,
    expected_wordpress_spec_path,
    find_wordpress_spec,
)

pytestmark = pytest.mark.contract

SPEC = find_wordpress_spec()
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
SITE, OTHER = "https://blog.acme.example", "https://shop.other.example"
PASSWORD = "abcd EFGH 1234 ijkl MNOP 6789"  # noqa: S105 - the simulator's own


@pytest.fixture
def wp():
    if SPEC is None:
        pytest.skip(
            f"WordPress route schemas not found at {expected_wordpress_spec_path()}; CI has ../shared/specs"
        )
    sim = WordPressSimulator(lambda: T0 + timedelta(hours=1), spec_path=SPEC)
    for site in (SITE, OTHER):
        sim.add_user(site, 2, "Acme Care", app_password=PASSWORD)
        sim.add_article(site, 10, "Winter opening hours")
    sim.add_user(SITE, 5, "Mo Derator", app_password=PASSWORD, moderator=True)
    sim.start()
    yield sim
    sim.stop()
    assert sim.spec_violations == []


def get(sim, path: str, host: str = "blog.acme.example", auth=None, **params) -> requests.Response:
    headers = {"Host": host}
    return requests.get(f"{sim.base_url}/wp-json{path}", params=params, headers=headers, auth=auth, timeout=5)


def post(sim, body: dict, auth=("acmecare", PASSWORD)) -> requests.Response:
    headers = {"Host": "blog.acme.example"}
    return requests.post(
        f"{sim.base_url}/wp-json/wp/v2/comments", json=body, headers=headers, auth=auth, timeout=5
    )


def test_comments_page_by_id_with_the_total_headers_and_after_is_exclusive(wp):
    for minute in range(5):
        wp.add_comment(SITE, post=10, content=f"question {minute}", at=T0 + timedelta(minutes=minute))
    answer = get(
        wp, "/wp/v2/comments", after="2026-11-23T14:00:00", orderby="id", order="asc", per_page=2, page=2
    )
    assert answer.status_code == 200
    assert [c["id"] for c in answer.json()] == [4, 5]  # 14:00:00 itself is not after 14:00:00
    assert (answer.headers["X-WP-Total"], answer.headers["X-WP-TotalPages"]) == ("4", "2")
    assert get(wp, "/wp/v2/comments", per_page=2, page=4).json()["code"] == "rest_comment_invalid_page_number"


def test_each_site_has_its_own_comments(wp):
    wp.add_comment(SITE, post=10, content="on acme", at=T0)
    wp.add_comment(OTHER, post=10, content="on other", at=T0)
    [acme] = get(wp, "/wp/v2/comments").json()
    [other] = get(wp, "/wp/v2/comments", host="shop.other.example").json()
    assert acme["id"] == other["id"] == 1 and "on acme" in acme["content"]["rendered"]
    assert get(wp, "/wp/v2/comments", host="nowhere.example").status_code == 404


def test_held_comments_need_a_moderators_application_password(wp):
    wp.add_comment(SITE, post=10, content="approved", at=T0)
    wp.add_comment(SITE, post=10, content="held", at=T0, status="hold")
    wp.add_comment(SITE, post=10, content="a pingback", at=T0, kind="pingback")
    assert [c["status"] for c in get(wp, "/wp/v2/comments").json()] == ["approved"]
    assert get(wp, "/wp/v2/comments", status="all").status_code == 401
    assert get(wp, "/wp/v2/comments", auth=("acmecare", PASSWORD), status="all").status_code == 403
    held = get(wp, "/wp/v2/comments", auth=("moderator", PASSWORD), status="all", orderby="id", order="asc")
    assert [c["status"] for c in held.json()] == ["approved", "hold"]


def test_a_comment_is_created_as_the_application_passwords_user_and_a_duplicate_refused(wp):
    parent = wp.add_comment(SITE, post=10, content="where is my parcel?", at=T0)
    made = post(wp, {"post": 10, "parent": parent, "content": "We're on it"})
    assert made.status_code == 201
    assert (made.json()["author"], made.json()["parent"], made.json()["content"]["raw"]) == (
        2,
        parent,
        "We're on it",
    )
    again = post(wp, {"post": 10, "parent": parent, "content": "We're on it"})
    assert (again.status_code, again.json()["code"]) == (409, "comment_duplicate")
    assert post(wp, {"post": 10, "content": "hi"}, auth=("acmecare", "wrong")).status_code == 401
    assert post(wp, {"post": 10, "content": "hi"}, auth=None).json()["code"] == "rest_comment_login_required"
    assert post(wp, {"post": 99, "content": "hi"}).json()["code"] == "rest_comment_invalid_post_id"
    assert get(wp, "/wp/v2/comments/999").status_code == 404


def test_faults_answer_as_a_host_in_front_of_wordpress_would(wp):
    wp.fail_next("GET", r"/comments$", Fault.rate_limited("90"), Fault.html(), Fault.status(502))
    limited = get(wp, "/wp/v2/comments")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "90")
    page = get(wp, "/wp/v2/comments")
    assert page.headers["Content-Type"].startswith("text/html") and page.text.startswith("<!DOCTYPE")
    assert get(wp, "/wp/v2/comments").status_code == 502
    assert get(wp, "/wp/v2/comments").status_code == 200


def test_a_request_off_the_route_schemas_is_recorded_as_a_violation(wp):
    get(wp, "/wp/v2/comments", orderby="karma", per_page=500, sort="id")
    violations, wp.spec_violations[:] = list(wp.spec_violations), []
    assert any("orderby" in v for v in violations) and any("per_page" in v for v in violations)
    assert any("unknown parameter 'sort'" in v for v in violations)
