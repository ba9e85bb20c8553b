"""WordPress's pure parts: ids qualified by their site, the account as configured, the cursor, and
comment text both ways (rendered HTML to plain text, a plain reply to what WordPress stores)."""

import time

import pytest
import yaml
from pydantic import ValidationError

from socialcare.channels.base import PermanentError
from socialcare.channels.network import PostRef
from socialcare.channels.wordpress import NETWORK
from socialcare.channels.wordpress.account import WordPressAccount
from socialcare.channels.wordpress.content import plain_text, reply_length
from socialcare.channels.wordpress.cursor import Position
from socialcare.channels.wordpress.site import Site
from socialcare.config import ConfigError
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config


def account(**fields) -> WordPressAccount:
    base = {"channel": "wordpress", "id": "2", "handle": "Acme Care", "credentials_secret": "wp/acme"}
    return WordPressAccount(**(base | {"instance": "https://blog.acme.example"} | fields))


def config_with(*accounts: dict):
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    data["accounts"] = list(accounts)
    return parse_config(yaml.safe_dump(data), "test")


def site_account(instance: str, user: str = "2") -> dict:
    return {
        "channel": "wordpress",
        "id": user,
        "handle": "Care",
        "credentials_secret": "wp",
        "instance": instance,
    }


def test_the_account_id_is_qualified_by_its_site_so_two_sites_with_user_2_are_two_accounts():
    config = config_with(
        site_account("https://blog.acme.example"), site_account("https://shop.other.example/")
    )
    assert [a.key for a in config.accounts] == [
        "wordpress#blog.acme.example/2",
        "wordpress#shop.other.example/2",
    ]
    assert account(id="blog.acme.example/2").id == "blog.acme.example/2"
    assert account(instance="https://example.com/blog/").id == "example.com/blog/2"
    with pytest.raises(ConfigError, match="twice"):
        config_with(
            site_account("https://blog.acme.example"),
            site_account("https://blog.acme.example/", "blog.acme.example/2"),
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "shop.other.example/2"},  # another site's user
        {"id": "two"},
        {"instance": "blog.acme.example"},  # no scheme
        {"instance": "https://blog.acme.example/?p=1"},
        {"staff_user_ids": ["sam"]},
    ],
)
def test_an_account_naming_things_wrongly_is_refused(fields):
    with pytest.raises(ValidationError):
        account(**fields)


def test_site_ids_read_back_only_for_their_own_site():
    site = Site.of("https://Example.com/blog/")
    assert (site.key, site.origin, site.path) == ("example.com/blog", "https://Example.com", "/blog")
    assert site.comment_number("example.com/blog/501") == 501 and site.comment_number("501") == 501
    assert (
        site.comment_number("other.example/501") is None and site.comment_number("example.com/blog/x") is None
    )
    assert (
        site.article_number("example.com/blog/post/12") == 12
        and site.article_number("example.com/blog/12") is None
    )
    assert site.guest("Jane Doe") == site.guest(" jane doe ") != site.guest("John")
    assert "jane" not in site.guest("Jane Doe")  # no name in a key


def test_a_comment_links_to_its_place_in_the_article():
    ref = PostRef("blog.acme.example/501", "blog.acme.example/post/12")
    assert NETWORK.post_url(account(), ref) == "https://blog.acme.example/?p=12#comment-501"
    assert NETWORK.post_url(account(), PostRef("blog.acme.example/501")) is None


def test_a_cursor_round_trips_and_one_this_adapter_never_wrote_is_refused():
    position = Position(last_id=41, last_date="2026-11-23T09:00:00").next_page("2026-11-23T08:59:00")
    assert Position.parse(position.encode()) == position
    assert Position.parse(position.done().encode()) == Position(41, "2026-11-23T09:00:00")
    assert Position().encode() is None
    for garbage in ("41", '{"last_id": -1}', '{"page": 0}', '{"after": "yesterday"}', '{"evil": 1}'):
        with pytest.raises(PermanentError):
            Position.parse(garbage)


def test_rendered_html_becomes_plain_text_without_scripts_and_with_entities_unescaped():
    rendered = (
        "<p>Where&#8217;s my order? &amp; <a href='x'>invoice</a></p>\n"
        "<p>Line<br />two<script>alert(1)</script></p>"
    )
    assert plain_text(rendered) == "Where\u2019s my order? & invoice\n\nLine\ntwo"
    assert plain_text("<p>1 &lt; 2</p>") == "1 < 2"


def test_plain_text_is_linear_in_the_comment():
    huge = "<p>" + "<b>a</b> &amp; " * 20_000 + "</p>"  # 280,000 characters
    started = time.perf_counter()
    assert plain_text(huge).startswith("a & a")
    assert time.perf_counter() - started < 5


def test_a_reply_is_counted_in_bytes_as_wordpress_stores_it():
    assert reply_length("abc") == 3
    assert reply_length("a < b & c") == len("a &lt; b &amp; c")
    assert reply_length("é") == 2
    assert NETWORK.reply_limit == 65_525
