"""A simulated X API v2 on localhost, checked against the official OpenAPI description."""

from .server import Fault, XSimulator
from .spec import expected_x_spec_path, find_x_spec, load_x_spec

__all__ = ["Fault", "XSimulator", "expected_x_spec_path", "find_x_spec", "load_x_spec"]
