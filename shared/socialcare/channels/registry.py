"""Every network socialcare speaks. Adding one is its channel module plus one line here."""

from .network import Network
from .x import NETWORK as X

NETWORKS: dict[str, Network] = {each.name: each for each in (X,)}


def network(channel: str) -> Network:
    try:
        return NETWORKS[channel]
    except KeyError:
        raise ValueError(f"no network {channel!r}; known: {', '.join(sorted(NETWORKS))}") from None
