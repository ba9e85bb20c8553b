"""Every exchange with the simulated Meta Graph API checked against Meta's node specs when they are
beside the clone; the simulator runs unchecked without them."""

import pytest
import requests
from meta_graph import (
    IG,
    IG_TOKEN,
    MEDIA,
    PAGE,
    PAGE_TOKEN,
    POST,
    T0,
    comment,
    error,
    get,
    needs_spec,
    post,
)

from socialcare_local.networks.meta import (
    Fault,
    MetaSimulator,
    expected_meta_spec_dir,
    find_meta_specs,
)

pytestmark = pytest.mark.contract


@needs_spec
def test_a_whole_session_validates_against_the_specs(sim, clock):
    first = comment(sim, 1, minute=0)
    comment(sim, 2, minute=1, parent=first)
    sim.tag_page(PAGE, "900100", "42", "Jane Doe", "@Acme hello", T0)
    ig_comment = sim.ig_comment(MEDIA, "17800000000000001", "55", "jane", "@acme help", T0)
    sim.ig_mention(
        IG, media_id="17900000000000900", author_id="77", username="bob", text="@acme hi", created_at=T0
    )
    everything = (
        "id,message,created_time,from,parent,application,is_hidden,permalink_url,comment_count,can_hide"
    )
    get(sim, f"/{PAGE}", fields="id,name,link,instagram_business_account{id,username}")
    get(
        sim,
        f"/{PAGE}/feed",
        fields=f"id,message,created_time,permalink_url,comments.limit(1){{{everything}}}",
    )
    get(sim, f"/{PAGE}/tagged", fields="id,message,from,created_time,updated_time")
    page = get(
        sim, f"/{POST}/comments", filter="stream", order="reverse_chronological", limit=1, fields=everything
    )
    requests.get(page.json()["paging"]["next"], timeout=5)
    get(sim, f"/{first}/comments", since="2026-11-23T13:00:00Z", summary="true")
    post(sim, f"/{first}/comments", message="On it")
    post(sim, f"/{first}", is_hidden="false")
    media_fields = (
        "id,caption,timestamp,permalink,username,comments_count,like_count,media_type,media_product_type"
    )
    get(sim, f"/{IG}", IG_TOKEN, fields="id,username,name,media_count")
    get(sim, f"/{IG}/media", IG_TOKEN, fields=f"{media_fields},comments{{id,text,from,username}}")
    get(
        sim,
        f"/{MEDIA}/comments",
        IG_TOKEN,
        fields="id,text,timestamp,username,from,parent_id,media{id},hidden",
    )
    post(sim, f"/{ig_comment}/replies", IG_TOKEN, message="Hi Jane")
    get(sim, f"/{ig_comment}/replies", IG_TOKEN, fields="id,text,parent_id")
    post(sim, f"/{ig_comment}", IG_TOKEN, hide="true")
    get(
        sim,
        f"/{IG}",
        IG_TOKEN,
        fields="mentioned_media.media_id(17900000000000900){id,caption,timestamp,username}",
    )
    post(sim, f"/{IG}/mentions", IG_TOKEN, media_id="17900000000000900", message="Thanks!")
    get(sim, "/404", token="nope")  # noqa: S106
    sim.fail_next("GET", "feed", Fault.status(503))
    get(sim, f"/{PAGE}/feed")
    assert {e["status"] for e in sim.requests_log} >= {200, 400, 503}


@needs_spec
def test_an_invalid_request_is_reported_and_refused(sim):
    bad = get(sim, f"/{POST}/comments", filter="everything")
    assert bad.status_code == 400 and error(bad)["code"] == 100
    assert len(sim.spec_violations) == 1 and "parameter filter must be one of" in sim.spec_violations[0]
    sim.spec_violations.clear()
    extra = get(sim, f"/{POST}/comments", bogus="1")  # Meta ignores it; the spec does not list it
    assert extra.status_code == 200 and "parameter bogus is not one the spec lists" in sim.spec_violations[0]
    sim.spec_violations.clear()
    missing = post(sim, f"/{IG}/mentions", IG_TOKEN, media_id="17900000000000900")
    assert missing.status_code == 400 and "required parameter message is missing" in sim.spec_violations[0]
    assert sim.created_comments() == []
    sim.spec_violations.clear()


def test_without_the_specs_it_runs_unchecked(clock):
    with MetaSimulator(clock) as sim:
        sim.add_page(PAGE, "Acme", PAGE_TOKEN)
        sim.publish_page_post(PAGE, POST, "Hello", T0)
        assert get(sim, f"/{POST}", fields="id,bogus").status_code == 400
        assert error(get(sim, f"/{POST}/comments", filter="everything"))["code"] == 100
        assert get(sim, f"/{POST}/comments", bogus="1").status_code == 200
        assert sim.spec is None and sim.spec_violations == []


def test_find_meta_specs_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALCARE_SPECS_DIR", str(tmp_path))
    assert find_meta_specs() is None and expected_meta_spec_dir() == tmp_path / "meta-graph"
    (tmp_path / "meta-graph").mkdir()
    for node in ("Page", "PagePost", "Post", "Comment", "IGUser", "IGMedia", "IGComment"):
        (tmp_path / "meta-graph" / f"{node}.json").write_text('{"apis": [], "fields": []}')
    assert find_meta_specs() == tmp_path / "meta-graph"
