"""A simulated Mastodon (any number of instances) on localhost, checked against the official
OpenAPI description."""

from .server import Fault, MastodonSimulator
from .spec import expected_mastodon_spec_path, find_mastodon_spec, missing_mastodon_spec

__all__ = [
    "Fault",
    "MastodonSimulator",
    "expected_mastodon_spec_path",
    "find_mastodon_spec",
    "missing_mastodon_spec",
]
