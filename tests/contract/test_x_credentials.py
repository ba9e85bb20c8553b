"""Which refusals of X are about the credentials (a rotated secret may cure them) and which refuse
the reply itself (final): the acknowledger retries the first kind and gives up on the second at once."""

from datetime import UTC, datetime

import pytest
import responses
from harnesses.x import CREDENTIALS

from socialcare.channels.base import AuthenticationFailed, PermanentError, ReplyTarget
from socialcare.channels.x.account import XAccount
from socialcare.channels.x.adapter import XAdapter

pytestmark = pytest.mark.contract
ACCOUNT = XAccount(channel="x", id="9001", handle="AcmeCare", credentials_secret="x")
BRAND, CUSTOMER = "9001", "42"
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def sim(x):
    x.sim.publish(post_id="1001", author_id=CUSTOMER, text="@AcmeCare help", created_at=T0, mentions=[BRAND])
    return x.sim


def adapter(sim) -> XAdapter:
    return XAdapter(ACCOUNT, CREDENTIALS, base_url=sim.base_url, timeout=2)


def reply(sim, in_reply_to_id="1001", text="Thanks, we're on it") -> str:
    return adapter(sim).post_reply(ReplyTarget(in_reply_to_id), text)


def test_revoked_tokens_are_a_credentials_refusal_for_posting_and_reading(sim):
    sim.regenerate_tokens(BRAND, "rotated-token", "rotated-secret", bearer_token="rotated-bearer")
    with pytest.raises(AuthenticationFailed, match="401"):
        reply(sim)
    with pytest.raises(AuthenticationFailed, match="401"):
        adapter(sim).read("mentions", None, start_time=T0)
    assert sim.created_posts() == []


@pytest.mark.parametrize(
    ("setup", "in_reply_to_id", "detail"),
    [
        (lambda sim: None, "1999", "deleted or not visible"),
        (lambda sim: reply(sim), "1001", "duplicate content"),
    ],
    ids=["reply-to-a-deleted-post", "duplicate-text"],
)
def test_a_reply_refused_for_what_it_is_is_final_not_a_credentials_problem(
    sim, setup, in_reply_to_id, detail
):
    setup(sim)
    with pytest.raises(PermanentError, match=detail) as refused:
        reply(sim, in_reply_to_id=in_reply_to_id)
    assert not isinstance(refused.value, AuthenticationFailed)


@responses.activate
def test_a_403_about_the_app_or_its_tokens_is_a_credentials_refusal():
    """X's ClientForbiddenProblem: the app lost its project or access level; new keys cure it."""
    responses.post(
        "https://api.x.com/2/tweets",
        status=403,
        json={
            "title": "Client Forbidden",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
            "reason": "client-not-enrolled",
            "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys "
            "and tokens from a Twitter developer App that is attached to a Project.",
        },
    )
    with pytest.raises(AuthenticationFailed, match="403"):
        XAdapter(ACCOUNT, CREDENTIALS).post_reply(ReplyTarget("1001"), "Thanks")
