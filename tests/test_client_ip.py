"""The client address used by login throttling and rate limits."""

from __future__ import annotations

import pytest
from django.http import HttpRequest

from helpdesk_portal.client_ip import client_ip


def request_with(**meta: str) -> HttpRequest:
    request = HttpRequest()
    request.META.update(meta)
    return request


def test_without_proxies_it_is_the_connecting_address_whatever_the_headers_say(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's own claim
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer hops than proxies: the header cannot be trusted
    ],
)
def test_behind_proxies_it_is_the_address_the_outermost_proxy_saw(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_with(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)) == expected


def test_an_unknown_address_is_none_so_it_can_be_stored_in_an_ip_column(settings):
    # A login made in code (force_login) has no address; PostgreSQL refuses a made-up one.
    assert client_ip(request_with()) is None
