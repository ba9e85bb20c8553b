"""The simulated Bluesky: XRPC over HTTP, checked against the official lexicons."""

from ..x.server import Fault
from .lexicon import expected_bluesky_spec_path, find_bluesky_spec, missing_bluesky_spec
from .server import BlueskySimulator

__all__ = [
    "BlueskySimulator",
    "Fault",
    "expected_bluesky_spec_path",
    "find_bluesky_spec",
    "missing_bluesky_spec",
]
