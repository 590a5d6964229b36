"""Fixtures of the client tests: a client and a mocked transport that refuses unknown URLs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from zammad_client_helpers import BASE, TOKEN

from zammad_client import ZammadClient


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    # RequestsMock raises ConnectionError for any URL not registered: no real HTTP.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> ZammadClient:
    return ZammadClient(BASE, token=TOKEN, connect_timeout=3, read_timeout=20)
