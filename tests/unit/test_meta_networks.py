"""What the rest of socialcare knows of Facebook and Instagram through their registered Network: the
accounts the configuration accepts, how long a reply may be, and the link staff open."""

import pytest
from pydantic import ValidationError

from socialcare.channels.network import PostRef
from socialcare.channels.registry import network

PAGE = {"channel": "facebook", "id": "104857600", "handle": "Acme Care", "credentials_secret": "fb"}
IG = {"channel": "instagram", "id": "17841400000000001", "handle": "acme.care", "credentials_secret": "ig"}


def account(data: dict, **changes):
    return network(data["channel"]).account_model()(**{**data, **changes})


@pytest.mark.parametrize("handle", ["Acme Care", "Acme & Sons – Support", "A"])
def test_a_page_name_may_have_spaces(handle):
    assert account(PAGE, handle=handle).handle == handle


@pytest.mark.parametrize(
    "change", [{"id": "acme"}, {"handle": " Acme"}, {"handle": "x" * 76}, {"handle": "a\nb"}]
)
def test_a_page_with_a_bad_id_or_name_is_refused(change):
    with pytest.raises(ValidationError):
        account(PAGE, **change)


@pytest.mark.parametrize(
    "change", [{"handle": "acme care"}, {"handle": ".acme"}, {"handle": "a" * 31}, {"id": "1_2"}]
)
def test_an_instagram_account_follows_instagrams_username_rule(change):
    with pytest.raises(ValidationError):
        account(IG, **change)


def test_the_api_version_is_a_setting_of_the_account():
    assert account(PAGE).api_version == "v25.0"
    assert account(IG, api_version="v26.0").api_version == "v26.0"
    with pytest.raises(ValidationError):
        account(PAGE, api_version="latest")


def test_reply_limits_are_each_networks_own():
    facebook, instagram = network("facebook"), network("instagram")
    assert facebook.reply_length("é" * 8000) <= facebook.reply_limit < facebook.reply_length("é" * 8001)
    assert instagram.reply_length("a" * 2200) <= instagram.reply_limit < instagram.reply_length("a" * 2201)


def test_an_instagram_reply_with_too_many_hashtags_or_mentions_counts_as_too_long():
    instagram = network("instagram")
    assert instagram.reply_length("#a #b #c #d thanks") <= instagram.reply_limit
    assert instagram.reply_length("#a #b #c #d #e thanks") > instagram.reply_limit
    assert instagram.reply_length("@a @b @c @d @e hi") <= instagram.reply_limit
    assert instagram.reply_length("@a @b @c @d @e @f hi") > instagram.reply_limit
    assert instagram.reply_length("ref K7Q2X, order #123 & email a@b.co") <= instagram.reply_limit


def test_a_facebook_comment_links_to_its_post_opened_at_the_comment():
    facebook = network("facebook")
    comment = PostRef("880001_501", "104857600_880001", "Jane Doe")
    assert (
        facebook.post_url(account(PAGE), comment)
        == "https://www.facebook.com/104857600/posts/880001?comment_id=501"
    )
    tag = PostRef("100000000000042_77", "100000000000042_77", "Jane Doe")
    assert facebook.post_url(account(PAGE), tag) == "https://www.facebook.com/100000000000042/posts/77"


def test_an_instagram_comment_links_to_the_accounts_profile():
    link = network("instagram").post_url(
        account(IG), PostRef("17900000000000201", "17900000000000100", "jane")
    )
    assert link == "https://www.instagram.com/acme.care/"
