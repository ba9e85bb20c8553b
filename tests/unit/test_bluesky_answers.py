"""The Bluesky adapter's reading of answers, without a network: every answer ends as posts, a
quarantined item or a ChannelError; refused tokens are renewed once, then the credentials fail;
nothing secret reaches an error message."""

from datetime import UTC, datetime, timedelta

import pytest
from fake_http import CannedSession

from socialcare import clock
from socialcare.channels.base import (
    AccountUnavailable,
    AuthenticationFailed,
    PermanentError,
    RateLimited,
    ReplyTarget,
    TransientError,
)
from socialcare.channels.bluesky.account import BlueskyAccount
from socialcare.channels.bluesky.adapter import BlueskyAdapter
from socialcare.channels.bluesky.session import MemorySessionStore, Session

BRAND = "did:plc:acmecare2bsky7brand2acme"
JANE = "did:plc:jane2customer7bsky2abcde"
ACCOUNT = BlueskyAccount(channel="bluesky", id=BRAND, handle="acme.bsky.social", credentials_secret="b")
CREDENTIALS = {"identifier": "acme.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
LOGIN = {"did": BRAND, "handle": "acme.bsky.social", "accessJwt": "access-1", "refreshJwt": "refresh-1"}
RENEWED = {**LOGIN, "accessJwt": "access-2", "refreshJwt": "refresh-2"}


class Scripted:
    """Answers per XRPC method, in order (the last one repeats); records what was asked."""

    def __init__(self, **answers):
        self.answers = {name.replace("_", "."): list(queue) for name, queue in answers.items()}
        self.calls: list[tuple[str, str | None]] = []

    def request(self, method, url, *, headers=None, **kwargs):
        nsid = url.rsplit("/", 1)[1]
        self.calls.append((nsid, (headers or {}).get("Authorization")))
        queue = self.answers[nsid]
        status, body, extra = queue.pop(0) if len(queue) > 1 else queue[0]
        return CannedSession(status, body, extra).request(method, url)


def adapter(http: Scripted, store=None) -> BlueskyAdapter:
    return BlueskyAdapter(
        ACCOUNT, CREDENTIALS, base_url="https://pds.test", session=http, session_store=store
    )


def login(**answers) -> Scripted:
    return Scripted(com_atproto_server_createSession=[(200, LOGIN, {})], **answers)


def uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def note(rkey: str, minute: float, reason: str = "mention", *, record=None, author=JANE) -> dict:
    return {
        "uri": uri(author, rkey),
        "cid": "bafyreib" + rkey.ljust(20, "a"),
        "author": {"did": author, "handle": "jane.bsky.social"},
        "reason": reason,
        "record": record or {"$type": "app.bsky.feed.post", "text": "@acme.bsky.social hi", "createdAt": "x"},
        "isRead": False,
        "indexedAt": (START + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z"),
    }


def notifications(*notes, cursor=None) -> tuple[int, dict, dict]:
    return 200, {"notifications": list(notes), **({"cursor": cursor} if cursor else {})}, {}


def read(http: Scripted, cursor=None, stream="notifications"):
    return adapter(http).read(stream, cursor, start_time=START)


def test_a_reply_belongs_to_its_threads_root_and_names_its_parent():
    root, parent = uri(BRAND, "3kroot"), uri(JANE, "3kparent")
    reply = {
        "text": "still waiting",
        "createdAt": "2026-11-23T13:05:00Z",
        "reply": {
            "root": {"uri": root, "cid": "bafyreiroot0001"},
            "parent": {"uri": parent, "cid": "bafyreipar0001"},
        },
        "langs": ["en"],
    }
    page = read(
        login(
            app_bsky_notification_listNotifications=[notifications(note("3kreply", 5, "reply", record=reply))]
        )
    )
    (post,) = page.posts
    assert (post.conversation, post.in_reply_to_id, post.kind, post.lang) == (root, parent, "reply", "en")
    assert post.reply_allowed and post.created_at == START + timedelta(minutes=5)


def test_a_quote_that_does_not_tag_the_brand_may_not_be_answered_in_public():
    untagged = {"text": "look at this", "createdAt": "2026-11-23T13:05:00Z"}
    facet = {"index": {"byteStart": 0, "byteEnd": 5}, "features": [{"$type": "x#mention", "did": BRAND}]}
    tagged = {"text": "@acme look", "createdAt": "2026-11-23T13:05:00Z", "facets": [facet]}
    http = login(
        app_bsky_notification_listNotifications=[
            notifications(note("3kb", 2, "quote", record=tagged), note("3ka", 1, "quote", record=untagged))
        ]
    )
    allowed = {post.post_id.rsplit("/", 1)[1]: post.reply_allowed for post in read(http).posts}
    assert allowed == {"3kb": True, "3ka": False}


def test_an_unreadable_item_is_quarantined_and_the_rest_of_the_page_read():
    broken = {**note("3kbroken", 3), "record": {"text": 42}}
    undated = {**note("3kundated", 2), "indexedAt": "yesterday"}
    huge = note("3khuge", 1, author="did:web:" + "a" * 2000 + ".example")  # would not fit a cursor
    notes = notifications(note("3kgood", 4), broken, undated, huge, "junk")
    page = read(login(app_bsky_notification_listNotifications=[notes]))
    assert [p.post_id for p in page.posts] == [uri(JANE, "3kgood")]
    assert [q.post_id for q in page.quarantined] == [
        uri(JANE, "3kbroken"),
        uri(JANE, "3kundated"),
        None,
        None,
    ]
    assert page.complete and len(page.cursor) < 500


def test_a_poll_reads_back_to_the_last_item_seen_to_the_millisecond():
    first = note("3kfirst", 1)
    first["indexedAt"] = "2026-11-23T13:01:00.250Z"
    http = login(app_bsky_notification_listNotifications=[notifications(first)])
    cursor = read(http).cursor
    same_second = {**note("3klater", 1), "indexedAt": "2026-11-23T13:01:00.900Z"}
    again = login(
        app_bsky_notification_listNotifications=[notifications(same_second, first, note("3kold", 0.5))]
    )
    page = read(again, cursor)
    assert [p.post_id for p in page.posts] == [uri(JANE, "3klater")] and page.complete


def test_a_paging_cut_short_keeps_blueskys_cursor_and_moves_the_mark_only_when_complete():
    http = login(
        app_bsky_notification_listNotifications=[
            notifications(note("3kd", 4), note("3kc", 3), cursor="page-2"),
            notifications(note("3kb", 2), note("3ka", 1)),
        ]
    )
    first = read(http)
    assert not first.complete and "page-2" in first.cursor
    second = adapter(http).read("notifications", first.cursor, start_time=START)
    assert second.complete and "page-2" not in second.cursor and "3kd" in second.cursor
    assert http.calls[-1][0] == "app.bsky.notification.listNotifications"


@pytest.mark.parametrize("cursor", ["garbage", '{"since": [1, 2, 3]}', '{"start": "soon"}', "{" * 5000])
def test_a_cursor_this_adapter_did_not_write_is_refused(cursor):
    with pytest.raises(PermanentError):
        read(login(app_bsky_notification_listNotifications=[notifications()]), cursor)


def test_an_expired_token_is_refreshed_once_and_the_call_repeated():
    http = Scripted(
        app_bsky_notification_listNotifications=[
            (400, {"error": "ExpiredToken"}, {}),
            notifications(note("3ka", 1)),
        ],
        com_atproto_server_refreshSession=[(200, RENEWED, {})],
    )
    store = MemorySessionStore()
    store.save(ACCOUNT.key, Session(BRAND, "access-1", "refresh-1").encode())
    assert len(adapter(http, store).read("notifications", None, start_time=START).posts) == 1
    assert [call for call in http.calls if "Session" in call[0]] == [
        ("com.atproto.server.refreshSession", "Bearer refresh-1")
    ]
    assert Session.decode(store.load(ACCOUNT.key)).access == "access-2"


def test_a_refused_refresh_logs_in_again_and_a_token_refused_twice_fails_the_credentials():
    http = Scripted(
        app_bsky_notification_listNotifications=[
            (401, {"error": "InvalidToken", "message": "access-1 bad"}, {})
        ],
        com_atproto_server_refreshSession=[(400, {"error": "ExpiredToken"}, {})],
        com_atproto_server_createSession=[(200, LOGIN, {})],
    )
    store = MemorySessionStore()
    store.save(ACCOUNT.key, Session(BRAND, "access-0", "refresh-0").encode())
    with pytest.raises(AuthenticationFailed) as failed:
        adapter(http, store).read("notifications", None, start_time=START)
    assert [nsid for nsid, _ in http.calls].count("com.atproto.server.createSession") == 1
    assert "access-1" not in str(failed.value) and "refresh" not in str(failed.value)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            (401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, {}),
            AuthenticationFailed,
        ),
        ((200, {**LOGIN, "did": JANE}, {}), AuthenticationFailed),  # an app password of another account
        ((400, {"error": "AccountTakedown"}, {}), AccountUnavailable),
        ((200, {"did": BRAND}, {}), TransientError),
    ],
)
def test_a_login_that_fails(answer, error):
    with pytest.raises(error) as failed:
        read(Scripted(com_atproto_server_createSession=[answer]))
    assert CREDENTIALS["app_password"] not in str(failed.value)


def test_a_rate_limit_waits_until_blueskys_reset_and_a_garbage_reset_one_window():
    now = clock.now()
    reset = int((now + timedelta(minutes=3)).timestamp())
    http = login(
        app_bsky_notification_listNotifications=[
            (429, {"error": "RateLimitExceeded"}, {"ratelimit-reset": str(reset)})
        ]
    )
    with pytest.raises(RateLimited) as limited:
        read(http)
    assert limited.value.reset_at == datetime.fromtimestamp(reset, UTC)
    garbage = login(app_bsky_notification_listNotifications=[(429, {}, {"ratelimit-reset": "soon"})])
    with pytest.raises(RateLimited) as limited:
        read(garbage)
    assert now + timedelta(minutes=4) <= limited.value.reset_at <= clock.now() + timedelta(minutes=5)


@pytest.mark.parametrize(
    "answer",
    [
        (503, {}, {}),
        (200, b"{not json", {}),
        (200, {"notifications": "no"}, {}),
        (200, {"notifications": [], "cursor": "\n"}, {}),
    ],
)
def test_server_errors_and_malformed_answers_are_transient(answer):
    with pytest.raises(TransientError):
        read(login(app_bsky_notification_listNotifications=[answer]))


def test_a_reply_names_its_root_and_parent_and_links_the_customers_handle():
    parent = uri(JANE, "3kparent")
    root = {"uri": uri(BRAND, "3kroot"), "cid": "bafyreiroot0001"}
    view = {
        "uri": parent,
        "cid": "bafyreiparent01",
        "author": {"did": JANE, "handle": "jane.bsky.social"},
        "record": {"text": "hi", "createdAt": "x", "reply": {"root": root, "parent": root}},
        "indexedAt": "2026-11-23T13:00:00Z",
    }
    sent = []

    class Recording(Scripted):
        def request(self, method, url, **kwargs):
            sent.append(kwargs.get("json"))
            return super().request(method, url, **kwargs)

    http = Recording(
        com_atproto_server_createSession=[(200, LOGIN, {})],
        app_bsky_feed_getPosts=[(200, {"posts": [view]}, {})],
        com_atproto_repo_createRecord=[(200, {"uri": uri(BRAND, "3kours"), "cid": "bafyreiours0001"}, {})],
    )
    made = adapter(http).post_reply(ReplyTarget(parent), "Hi @jane.bsky.social, ça marche")
    assert made == uri(BRAND, "3kours")
    record = sent[-1]["record"]
    assert record["reply"] == {"root": root, "parent": {"uri": parent, "cid": "bafyreiparent01"}}
    (facet,) = record["facets"]
    assert facet["index"] == {"byteStart": 3, "byteEnd": 20} and facet["features"][0]["did"] == JANE


def test_a_reply_to_a_post_that_is_gone_is_refused_before_anything_is_written():
    http = login(app_bsky_feed_getPosts=[(200, {"posts": []}, {})])
    with pytest.raises(PermanentError):
        adapter(http).post_reply(ReplyTarget(uri(JANE, "3kgone")), "Thanks")
    assert "com.atproto.repo.createRecord" not in [nsid for nsid, _ in http.calls]


def test_a_container_that_loses_the_race_to_refresh_adopts_the_winners_session():
    class RacedStore(MemorySessionStore):
        """Another container saves its renewed session while this one is refreshing."""

        def __init__(self):
            super().__init__()
            self.loads = 0

        def load(self, account_key):
            self.loads += 1
            if self.loads == 3:  # after this container's refresh was refused
                self.save(account_key, Session(BRAND, "access-2", "refresh-2").encode())
            return super().load(account_key)

    store = RacedStore()
    store.save(ACCOUNT.key, Session(BRAND, "access-1", "refresh-1").encode())
    http = Scripted(
        app_bsky_notification_listNotifications=[
            (400, {"error": "ExpiredToken"}, {}),
            notifications(note("3ka", 1)),
        ],
        com_atproto_server_refreshSession=[(400, {"error": "InvalidToken"}, {})],  # used by the winner
    )
    assert len(adapter(http, store).read("notifications", None, start_time=START).posts) == 1
    assert http.calls[-1] == ("app.bsky.notification.listNotifications", "Bearer access-2")
    assert "com.atproto.server.createSession" not in [nsid for nsid, _ in http.calls]
