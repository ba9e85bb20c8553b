"""A simulated WordPress (REST API comments routes) on localhost, checked against WordPress's own
route schemas."""

from .server import Fault, WordPressSimulator
from .spec import expected_wordpress_spec_path, find_wordpress_spec, missing_wordpress_spec

__all__ = [
    "Fault",
    "WordPressSimulator",
    "expected_wordpress_spec_path",
    "find_wordpress_spec",
    "missing_wordpress_spec",
]
