"""A rotated secret is picked up on the first refusal: re-read once bypassing the cache, the call
retried once; a second refusal, or a secret that did not change, reaches the caller."""

import pytest

from socialcare.channels.base import AuthenticationFailed, ReplyTarget, TransientError
from socialcare.runtime.refreshing import RefreshingAdapter


class FakeNetwork:
    """Accepts only the token it currently knows; records every call with the token it carried."""

    def __init__(self, valid_token: str):
        self.valid_token = valid_token
        self.calls: list[tuple[str, str]] = []
        self.failure: Exception | None = None


class FakeAdapter:
    display_name = "Fake"
    max_reply_length = 280

    def __init__(self, credentials: dict[str, str], network: FakeNetwork):
        self._token = credentials["token"]
        self._network = network

    def _call(self, name: str) -> str:
        self._network.calls.append((name, self._token))
        if self._network.failure:
            raise self._network.failure
        if self._token != self._network.valid_token:
            raise AuthenticationFailed("401 Unauthorized")
        return f"{name} ok"

    def post_reply(self, target, text):
        return self._call("post_reply")

    def read(self, stream, cursor, *, start_time):
        return self._call(f"read {stream}")

    def find_reply(self, target, since):
        return self._call("find_reply")


class FakeSecret:
    def __init__(self, token: str):
        self.token = token
        self.reads: list[bool] = []  # fresh flag of each read

    def read(self, fresh: bool) -> dict[str, str]:
        self.reads.append(fresh)
        return {"token": self.token}


@pytest.fixture
def world():
    network, secret, refreshes = FakeNetwork("old"), FakeSecret("old"), []
    adapter = RefreshingAdapter(
        "x#9001",
        secret.read,
        lambda credentials: FakeAdapter(credentials, network),
        lambda: refreshes.append(1),
    )
    return adapter, network, secret, refreshes


def rotate(network: FakeNetwork, secret: FakeSecret | None, token: str) -> None:
    network.valid_token = token
    if secret is not None:
        secret.token = token


def post(adapter) -> str:
    return adapter.post_reply(ReplyTarget("1001"), "Thanks, we're on it")


def test_a_rotated_secret_is_read_again_once_and_the_call_succeeds(world):
    adapter, network, secret, refreshes = world
    assert post(adapter) == "post_reply ok"
    rotate(network, secret, "new")
    assert post(adapter) == "post_reply ok"
    assert network.calls == [("post_reply", "old"), ("post_reply", "old"), ("post_reply", "new")]
    assert secret.reads == [False, True] and refreshes == [1]


def test_after_a_refresh_every_call_uses_the_new_credentials_without_reading_again(world):
    adapter, network, secret, refreshes = world
    rotate(network, secret, "new")
    adapter.read("mentions", None, start_time=None)
    adapter.find_reply(ReplyTarget("1001"), None)
    post(adapter)
    assert [token for _, token in network.calls] == ["old", "new", "new", "new"]
    assert secret.reads == [False, True] and refreshes == [1]


def test_a_secret_that_did_not_change_is_not_retried_and_the_refusal_reaches_the_caller(world):
    adapter, network, secret, refreshes = world
    rotate(network, None, "new")  # revoked on the network, the secret not updated yet
    with pytest.raises(AuthenticationFailed):
        post(adapter)
    assert network.calls == [("post_reply", "old")]
    assert refreshes == [1], "the re-read is counted even when it found nothing new"


def test_refused_again_with_the_new_credentials_propagates_after_one_retry(world):
    adapter, network, secret, refreshes = world
    secret.token = "also-wrong"
    rotate(network, None, "new")
    with pytest.raises(AuthenticationFailed):
        post(adapter)
    assert network.calls == [("post_reply", "old"), ("post_reply", "also-wrong")]
    assert secret.reads == [False, True] and refreshes == [1]


def test_other_failures_do_not_touch_the_credentials(world):
    adapter, network, secret, refreshes = world
    network.failure = TransientError("503")
    with pytest.raises(TransientError):
        post(adapter)
    assert len(network.calls) == 1 and secret.reads == [False] and refreshes == []


def test_everything_else_passes_through_to_the_adapter(world):
    adapter, *_ = world
    assert adapter.display_name == "Fake" and adapter.max_reply_length == 280


def test_credentials_unusable_as_cached_are_read_again_before_giving_up():
    network, refreshes = FakeNetwork("new"), []

    def read(fresh: bool) -> dict[str, str]:  # the cache still holds the incomplete secret; it is fixed
        return {"token": "new" if fresh else ""}

    def build(credentials):
        if not credentials["token"]:
            raise AuthenticationFailed("credentials lack token")
        return FakeAdapter(credentials, network)

    adapter = RefreshingAdapter("x#9001", read, build, lambda: refreshes.append(1))
    assert post(adapter) == "post_reply ok" and refreshes == [1]
