"""Every network socialcare speaks. Adding one is its channel module plus one line here."""

from .bluesky import NETWORK as BLUESKY
from .facebook import NETWORK as FACEBOOK
from .instagram import NETWORK as INSTAGRAM
from .mastodon import NETWORK as MASTODON
from .network import Network
from .wordpress import NETWORK as WORDPRESS
from .x import NETWORK as X

NETWORKS: dict[str, Network] = {
    each.name: each for each in (X, FACEBOOK, INSTAGRAM, WORDPRESS, BLUESKY, MASTODON)
}


def network(channel: str) -> Network:
    try:
        return NETWORKS[channel]
    except KeyError:
        raise ValueError(f"no network {channel!r}; known: {', '.join(sorted(NETWORKS))}") from None


# Networks that push: name -> "module:Class" (a channels.webhook.Webhook), imported when a delivery
# arrives. The name is the webhook's path on the function URL and its secret's: webhooks/<name>.
WEBHOOKS: dict[str, str] = {"meta": ".meta_webhook:MetaWebhook"}


def webhook_class(name: str):
    from importlib import import_module  # here: the networks above need no import machinery

    try:
        module, _, attribute = WEBHOOKS[name].partition(":")
    except KeyError:
        raise ValueError(f"no webhook {name!r}; known: {', '.join(sorted(WEBHOOKS))}") from None
    return getattr(import_module(module, __package__), attribute)
