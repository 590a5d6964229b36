"""Unit tests of zammad_client against recorded-shape responses (no Django, no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from responses import matchers
from zammad_client_helpers import BASE, TOKEN

from zammad_client import (
    Ticket,
    ZammadClient,
)

# Recorded 201 body of POST /api/v1/tickets (zammad-api.md §4.5, REC62), trimmed, plus expand names.
CREATED = {
    "id": 345, "group_id": 1, "priority_id": 2, "state_id": 1, "organization_id": None,
    "number": "67330", "title": "__pytest__", "owner_id": 1, "customer_id": 26,
    "article_ids": [564], "ticket_time_accounting_ids": [], "group": "Users", "state": "new",
    "priority": "2 normal", "customer": "pytest@localhost.local",
}






def sent_json(call: Any) -> Any:
    return json.loads(call.request.body)


# -- headers and transport options --------------------------------------------------


def test_it_sends_token_auth_json_and_user_agent(rsps: responses.RequestsMock, client: ZammadClient) -> None:
    rsps.post(f"{BASE}/api/v1/tickets", json=CREATED, status=201)

    client.create_ticket({"title": "x", "group": "Users", "customer_id": "guess:a@b.example"})

    headers = rsps.calls[0].request.headers
    assert headers["Authorization"] == f"Token token={TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "ox-helpdesk-portal"
    assert "From" not in headers and "X-On-Behalf-Of" not in headers


def test_it_acts_on_behalf_of_a_customer_with_from_and_the_legacy_header(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    rsps.post(
        f"{BASE}/api/v1/tickets",
        json=CREATED,
        status=201,
        match=[matchers.header_matcher({"From": "jane@customer.example", "X-On-Behalf-Of": "jane@customer.example"})],
    )

    ticket = client.create_ticket({"title": "x", "group": "Users"}, on_behalf_of=" jane@customer.example ")

    assert ticket.id == 345


def test_it_refuses_header_injection_in_on_behalf_of(client: ZammadClient) -> None:
    with pytest.raises(ValueError):
        client.create_ticket({}, on_behalf_of="a@b.example\r\nX-Evil: 1")


def test_it_supports_basic_and_bearer_auth(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/api/v1/users/me", json={"id": 3, "email": "a@b.example"})

    ZammadClient(BASE, basic_auth=("admin@b.example", "pw-123456")).me()
    ZammadClient(BASE, bearer="oauth-access-token").me()

    assert rsps.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert rsps.calls[1].request.headers["Authorization"] == "Bearer oauth-access-token"


def test_it_requires_exactly_one_credential() -> None:
    with pytest.raises(ValueError):
        ZammadClient(BASE)
    with pytest.raises(ValueError):
        ZammadClient(BASE, token="a", bearer="b")


def test_it_passes_timeouts_and_disables_redirects_on_every_call(
    rsps: responses.RequestsMock, client: ZammadClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # allow_redirects is consumed by Session.request, so spy there rather than on the adapter.
    seen: list[dict[str, Any]] = []
    real_request = client._session.request

    def spy(method: str, url: str, **kwargs: Any) -> requests.Response:
        seen.append(kwargs)
        return real_request(method, url, **kwargs)

    monkeypatch.setattr(client._session, "request", spy)
    rsps.post(f"{BASE}/api/v1/tickets", json=CREATED, status=201)
    rsps.get(f"{BASE}/api/v1/tickets/345", json=CREATED)
    rsps.get(f"{BASE}/api/v1/tags", json={"tags": ["a"]})
    rsps.post(f"{BASE}/api/v1/tickets/search", json=[CREATED])
    rsps.get(f"{BASE}/api/v1/ticket_states", json=[{"id": 1, "name": "new"}])
    rsps.get(f"{BASE}/api/v1/users/search", json=[])
    rsps.post(f"{BASE}/api/v1/users", json={"id": 9, "email": "n@b.example"}, status=201)
    rsps.get(f"{BASE}/api/v1/users/me", json={"id": 3})
    rsps.get(f"{BASE}/api/v1/groups", json=[{"id": 1, "name": "Users"}])
    rsps.get(f"{BASE}/api/v1/ticket_priorities", json=[{"id": 2, "name": "2 normal"}])
    rsps.get(f"{BASE}/api/v1/object_manager_attributes", json=[])

    client.create_ticket({"title": "x"})
    client.get_ticket(345, with_tags=True)
    client.find_ticket_by_tag("portal-1")
    client.get_ticket_states()
    client.find_user_by_email("n@b.example")
    client.create_user(email="n@b.example", firstname="N", lastname="B")
    client.me()
    client.list_groups()
    client.list_priorities()
    client.list_ticket_attributes()

    assert len(seen) == len(rsps.calls) == 11
    for kwargs in seen:
        assert kwargs["timeout"] == (3.0, 20.0)
        assert kwargs["allow_redirects"] is False
    for call in rsps.calls:  # and the timeout really reached the transport
        assert call.request.req_kwargs["timeout"] == (3.0, 20.0), call.request.url


def test_it_accepts_a_base_url_ending_in_api_v1(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/api/v1/users/me", json={"id": 3})

    assert ZammadClient(f"{BASE}/api/v1/", token=TOKEN).me().id == 3


def test_it_joins_tag_lists_into_the_comma_string_zammad_expects(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    rsps.post(f"{BASE}/api/v1/tickets", json=CREATED, status=201)

    client.create_ticket({"title": "x", "tags": ["portal-abc", " web "]})

    assert sent_json(rsps.calls[0])["tags"] == "portal-abc,web"


# -- search and lookups -------------------------------------------------------------------


def test_it_searches_with_a_condition_body_and_expand(rsps: responses.RequestsMock, client: ZammadClient) -> None:
    rsps.post(
        f"{BASE}/api/v1/tickets/search",
        json=[CREATED],
        match=[matchers.query_param_matcher({"expand": "true"})],
    )
    condition = {"ticket.portal_request_id": {"operator": "is", "value": "abc"}}

    tickets = client.search_tickets(condition, limit=5)

    assert sent_json(rsps.calls[0]) == {"condition": condition, "limit": 5}
    assert tickets == [Ticket.from_api(CREATED)]
    assert (tickets[0].state, tickets[0].group, tickets[0].number) == ("new", "Users", "67330")


def test_it_finds_a_ticket_by_tag_with_a_contains_all_condition(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    rsps.post(f"{BASE}/api/v1/tickets/search", json=[{**CREATED, "id": 400}, CREATED])

    ticket = client.find_ticket_by_tag("portal-7f3a")

    assert sent_json(rsps.calls[0])["condition"] == {
        "ticket.tags": {"operator": "contains all", "value": "portal-7f3a"}
    }
    assert ticket is not None and ticket.id == 345  # the oldest one wins


def test_it_returns_none_when_no_ticket_has_the_tag(rsps: responses.RequestsMock, client: ZammadClient) -> None:
    rsps.post(f"{BASE}/api/v1/tickets/search", json=[])

    assert client.find_ticket_by_tag("portal-none") is None
    with pytest.raises(ValueError):
        client.find_ticket_by_tag("a,b")


def test_it_reads_the_legacy_search_shape_with_ids_and_assets(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    # <= 6.4 without expand (recorded on 6.2, zammad-api.md §5.2).
    plain = {k: v for k, v in CREATED.items() if k not in ("group", "state", "priority", "customer")}
    rsps.post(
        f"{BASE}/api/v1/tickets/search",
        json={"tickets": [345], "tickets_count": 1, "assets": {"Ticket": {"345": plain}}},
    )

    [ticket] = client.search_tickets({})

    assert (ticket.id, ticket.state, ticket.group) == (345, 1, 1)


def test_it_matches_user_email_exactly_and_case_insensitively(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    rsps.get(
        f"{BASE}/api/v1/users/search",
        json=[
            {"id": 7, "email": "jimbob@acme.example", "login": "jimbob@acme.example"},
            {"id": 8, "email": "Bob@Acme.example", "login": "bob@acme.example"},
        ],
        match=[matchers.query_param_matcher({"query": "bob@acme.example", "limit": "100", "page": "1"})],
    )

    user = client.find_user_by_email(" BOB@acme.example")

    assert user is not None and user.id == 8


def test_it_returns_none_when_only_similar_emails_match(rsps: responses.RequestsMock, client: ZammadClient) -> None:
    rsps.get(f"{BASE}/api/v1/users/search", json=[{"id": 7, "email": "jimbob@acme.example"}])

    assert client.find_user_by_email("bob@acme.example") is None


def test_it_creates_a_user_with_organization(rsps: responses.RequestsMock, client: ZammadClient) -> None:
    rsps.post(f"{BASE}/api/v1/users", json={"id": 9, "email": "n@acme.example", "login": "n@acme.example"}, status=201)

    user = client.create_user(email="n@acme.example", firstname="N", lastname="B", organization="Acme")

    assert sent_json(rsps.calls[0]) == {
        "email": "n@acme.example", "firstname": "N", "lastname": "B", "organization": "Acme"
    }
    assert user.id == 9


def test_it_maps_state_ids_to_names_and_filters_ticket_attributes(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    rsps.get(f"{BASE}/api/v1/ticket_states", json=[{"id": 1, "name": "new"}, {"id": 4, "name": "closed"}])
    rsps.get(
        f"{BASE}/api/v1/object_manager_attributes",
        json=[
            {"name": "portal_request_id", "object": "Ticket", "data_type": "input", "editable": True},
            {"name": "email", "object": "User", "data_type": "input"},
        ],
    )

    assert client.get_ticket_states() == {1: "new", 4: "closed"}
    assert [a.name for a in client.list_ticket_attributes()] == ["portal_request_id"]


def test_it_loads_tags_separately_because_ticket_json_has_none(
    rsps: responses.RequestsMock, client: ZammadClient
) -> None:
    rsps.get(f"{BASE}/api/v1/tickets/345", json=CREATED)
    rsps.get(
        f"{BASE}/api/v1/tags",
        json={"tags": ["portal-1", "web"]},
        match=[matchers.query_param_matcher({"object": "Ticket", "o_id": "345"})],
    )

    ticket = client.get_ticket(345, with_tags=True)

    assert ticket.tags == ["portal-1", "web"]
