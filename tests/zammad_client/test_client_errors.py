"""How zammad_client classifies failures: retryable? ambiguous? Zammad's text kept? (no Django, no network)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError
from zammad_client_helpers import BASE, TOKEN

from zammad_client import (
    ZammadBadResponse,
    ZammadClient,
    ZammadError,
    ZammadRejected,
    ZammadUnavailable,
)


def error_of(client: ZammadClient) -> ZammadError:
    with pytest.raises(ZammadError) as info:
        client.get_ticket(345)
    return info.value


# -- error classification ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (401, {"error": "Not authorized (token expired)!"}, "Not authorized (token expired)!"),
        (403, {"error": "Not authorized", "error_human": "Not authorized"}, "Not authorized"),
        (
            404,
            {"error": "Couldn't find Ticket with 'id'=345", "error_human": "Couldn't find Ticket with 'id'=345"},
            "Couldn't find Ticket with 'id'=345",
        ),
        (
            422,
            {"error": "No lookup value found for 'group': \"nope\"", "error_human": "lookup failed"},
            "No lookup value found for 'group': \"nope\" / lookup failed",
        ),
        # Not JSON: the HTTP reason phrase stands in (Python 3.13 renamed 413's phrase, so ask http).
        (413, "<html><body>413 Request Entity Too Large</body></html>", HTTPStatus(413).phrase),
    ],
)
def test_it_keeps_zammads_error_text_on_permanent_errors(
    rsps: responses.RequestsMock, client: ZammadClient, status: int, body: Any, text: str
) -> None:
    if isinstance(body, dict):
        rsps.get(f"{BASE}/api/v1/tickets/345", json=body, status=status)
    else:
        rsps.get(f"{BASE}/api/v1/tickets/345", body=body, status=status, content_type="text/html")

    error = error_of(client)

    assert isinstance(error, ZammadRejected)
    assert (error.status, error.retryable, error.ambiguous, error.permanent) == (status, False, False, True)
    assert error.message == text
    assert "GET /api/v1/tickets/345" in str(error) and str(status) in str(error)


def test_it_marks_429_retryable_not_ambiguous_and_keeps_retry_after(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    # Rack::Attack's throttled answer is text/plain (zammad-api.md §8).
    rsps.get(f"{BASE}/api/v1/tickets/345", body="Retry later\n", status=429, headers={"Retry-After": "17"})

    error = error_of(client)

    assert isinstance(error, ZammadUnavailable)
    assert (error.status, error.retryable, error.ambiguous, error.retry_after) == (429, True, False, 17.0)
    assert error.message == "Too Many Requests"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_it_marks_5xx_retryable_and_ambiguous(
    rsps: responses.RequestsMock, client: ZammadClient, status: int
) -> None:
    rsps.post(
        f"{BASE}/api/v1/tickets",
        json={"error": "Error ID aB3dE6gH: Please contact your administrator."},
        status=status,
    )

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket({"title": "x"})

    assert (info.value.status, info.value.retryable, info.value.ambiguous) == (status, True, True)
    assert "Error ID aB3dE6gH" in info.value.message


@pytest.mark.parametrize(
    "exc",
    [
        requests.ConnectTimeout("connect timed out"),
        requests.ConnectionError(
            MaxRetryError(None, "/api/v1/tickets", NewConnectionError(None, "[Errno 111] Connection refused"))  # type: ignore[arg-type]
        ),
        requests.ConnectionError(ConnectionRefusedError(111, "Connection refused")),
    ],
)
def test_it_marks_connect_failures_retryable_but_not_ambiguous(
    rsps: responses.RequestsMock, client: ZammadClient, exc: Exception
) -> None:
    rsps.post(f"{BASE}/api/v1/tickets", body=exc)

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket({"title": "x"})

    assert (info.value.status, info.value.retryable, info.value.ambiguous) == (None, True, False)


@pytest.mark.parametrize(
    "exc",
    [
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))),
        requests.ConnectionError(ProtocolError("Connection aborted.", OSError("Remote end closed connection"))),
    ],
)
def test_it_marks_failures_after_sending_retryable_and_ambiguous(
    rsps: responses.RequestsMock, client: ZammadClient, exc: Exception
) -> None:
    rsps.post(f"{BASE}/api/v1/tickets", body=exc)

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket({"title": "x"})

    assert (info.value.retryable, info.value.ambiguous) == (True, True)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html>Welcome to nginx!</html>", "text/html"),
        ("", "application/json"),
        ('{"tickets": "oops"}', "application/json"),
        ('[{"id": true, "number": "1"}]', "application/json"),
    ],
)
def test_it_treats_an_unusable_2xx_body_as_retryable_and_ambiguous(
    rsps: responses.RequestsMock, client: ZammadClient, body: str, content_type: str
) -> None:
    rsps.post(f"{BASE}/api/v1/tickets", body=body, status=201, content_type=content_type)

    with pytest.raises(ZammadBadResponse) as info:
        client.create_ticket({"title": "x"})

    assert isinstance(info.value, ZammadUnavailable)
    assert (info.value.status, info.value.retryable, info.value.ambiguous) == (201, True, True)


def test_it_does_not_follow_redirects(rsps: responses.RequestsMock, client: ZammadClient) -> None:
    rsps.get(
        f"{BASE}/api/v1/tickets/345", status=301, headers={"Location": "https://elsewhere.example/api/v1/tickets/345"}
    )

    error = error_of(client)

    assert isinstance(error, ZammadRejected)
    assert error.status == 301 and "elsewhere.example" in error.message
    assert len(rsps.calls) == 1


def test_it_never_reveals_the_token(
    rsps: responses.RequestsMock, client: ZammadClient, caplog: pytest.LogCaptureFixture
) -> None:
    # A misconfigured proxy echoing request headers into its error page.
    rsps.get(f"{BASE}/api/v1/tickets/345", body=f"bad gateway; Authorization: Token token={TOKEN}", status=502)
    caplog.set_level(logging.DEBUG, logger="zammad_client")

    error = error_of(client)

    assert TOKEN not in str(error) and TOKEN not in error.body_excerpt and TOKEN not in repr(error)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(client)
