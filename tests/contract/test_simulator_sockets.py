"""The simulated networks answer without Nagle's stall: every accepted socket has TCP_NODELAY, and a
client's session keeps one connection for many requests (see `make bench-sims` for the figures)."""

import socket
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from socialcare_local.networks.meta import MetaSimulator
from socialcare_local.networks.x import XSimulator

pytestmark = pytest.mark.contract


@pytest.fixture
def accepted(monkeypatch):
    """{client port: TCP_NODELAY} of every connection a simulator served a request on."""
    seen: dict[int, int] = {}
    serve_one = BaseHTTPRequestHandler.handle_one_request

    def recording(handler):
        seen[handler.client_address[1]] = handler.connection.getsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY
        )
        serve_one(handler)

    monkeypatch.setattr(BaseHTTPRequestHandler, "handle_one_request", recording)
    return seen


@pytest.mark.parametrize(
    ("simulator", "path", "headers"),
    [
        (XSimulator, "/2/users/9001", {"Authorization": "Bearer sim-bearer"}),
        (MetaSimulator, "/v21.0/me", {}),
    ],
    ids=["x", "meta"],
)
def test_a_simulator_sets_tcp_nodelay_and_keeps_the_connection_alive(accepted, simulator, path, headers):
    with simulator() as sim, requests.Session() as session:
        answers = [session.get(sim.base_url + path, headers=headers, timeout=5) for _ in range(3)]
        assert all(answer.status_code < 500 for answer in answers)
    assert len(accepted) == 1, "three requests of one session share one connection"
    assert list(accepted.values())[0] != 0, "TCP_NODELAY is off: each small answer waits for a delayed ACK"
