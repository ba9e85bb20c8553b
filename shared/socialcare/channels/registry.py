"""Every network socialcare speaks. Adding one is its channel module plus one line here."""

from .facebook import NETWORK as FACEBOOK
from .instagram import NETWORK as INSTAGRAM
from .network import Network
from .x import NETWORK as X

NETWORKS: dict[str, Network] = {each.name: each for each in (X, FACEBOOK, INSTAGRAM)}


def network(channel: str) -> Network:
    try:
        return NETWORKS[channel]
    except KeyError:
        raise ValueError(f"no network {channel!r}; known: {', '.join(sorted(NETWORKS))}") from None
