"""Integration tests: the real stand-in on port 0, driven by zammad_client over HTTP."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from zammad_client import ZammadClient, ZammadRejected, ZammadUnavailable
from zammad_standin import StandIn

TOKEN = "standin-test-token-0123"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn(
        port=0, token=TOKEN, groups=["Support"], ticket_attributes=["portal_request_id", "severity:low,high"],
        system_id=67,
    ) as server:
        yield server


@pytest.fixture
def client(standin: StandIn) -> Iterator[ZammadClient]:
    # Short timeouts keep the fault tests fast; the stand-in answers in milliseconds.
    with ZammadClient(standin.url, token=TOKEN, connect_timeout=1, read_timeout=2) as zammad:
        yield zammad


def payload(tag: str | None = None, **extra: Any) -> dict[str, Any]:
    tag = tag or f"portal-{uuid.uuid4()}"
    return {
        "title": "Mail delivery fails",
        "group": "Support",
        "customer_id": "guess:jane@customer.example",
        "article": {"body": "Since 9:00 no mail is delivered.", "type": "note", "internal": False},
        "tags": f"{tag},web",
        **extra,
    }


# -- behaviour copied from Zammad ------------------------------------------------------


def test_it_round_trips_a_ticket_with_article_attachment_tags_and_attributes(
    standin: StandIn, client: ZammadClient
) -> None:
    data = base64.b64encode(b"log line 1\nlog line 2\n").decode()
    body = payload("portal-round-trip", portal_request_id="abc-123", severity="high", unknown_key="dropped")
    body["article"]["attachments"] = [{"filename": "mail.log", "data": data, "mime-type": "text/plain"}]

    created = client.create_ticket(body)
    fetched = client.get_ticket(created.id, with_tags=True)

    # Fresh install: ticket 1 is "Welcome to Zammad!" (number 67001), so ours is 67002.
    assert (created.number, created.state, created.group) == ("67002", "new", "Support")
    assert created.raw["article_ids"] and created.raw["ticket_time_accounting_ids"] == []
    assert fetched.tags == ["portal-round-trip", "web"]
    assert "article_ids" in fetched.raw  # expanded GET
    assert fetched.raw["portal_request_id"] == "abc-123" and fetched.raw["severity"] == "high"
    assert "unknown_key" not in fetched.raw  # unknown keys are dropped silently
    [record] = standin.tickets
    [article] = record["articles"]
    assert article["attachments"][0]["size"] == str(len(b"log line 1\nlog line 2\n"))
    assert article["attachments"][0]["data"] == data
    assert record["customer"]["email"] == "jane@customer.example"
    assert (article["type_id"], article["sender_id"], article["content_type"]) == (10, 1, "text/plain")


def test_it_rejects_bad_creates_with_zammads_texts_and_creates_nothing(
    standin: StandIn, client: ZammadClient
) -> None:
    cases = [
        ({**payload(), "group": "Nope"}, "No lookup value found for 'group': \"Nope\""),
        ({k: v for k, v in payload().items() if k != "group"}, "The required value 'group_id' is missing."),
        ({**{k: v for k, v in payload().items() if k != "customer_id"}, "customer": "new@x.example"},
         "No lookup value found for 'customer': \"new@x.example\""),
        ({**payload(), "customer_id": "guess:not-an-email"}, "Invalid email 'not-an-email' of customer"),
        ({**payload(), "priority": "urgent"}, "No lookup value found for 'priority': \"urgent\""),
        ({**payload(), "article": {"body": "x", "attachments": [{"filename": "a", "data": "!!"}]}},
         "Attachment needs 'mime-type' param for attachment with index '0'"),
        ({**payload(), "article": {"body": "x", "attachments": [{"filename": "a", "data": "%%", "mime-type": "x/y"}]}},
         "Invalid base64 for attachment with index '0'"),
    ]
    for body, text in cases:
        with pytest.raises(ZammadRejected) as info:
            client.create_ticket(body)
        assert (info.value.status, info.value.message) == (422, text)
    assert standin.tickets == []
    assert client.find_user_by_email("jane@customer.example") is None  # guessed users rolled back too


def test_it_creates_each_guessed_customer_once_under_concurrent_creates(
    standin: StandIn, client: ZammadClient
) -> None:
    results: list[Any] = []

    def create(i: int) -> None:
        email = "Race@Customer.example" if i % 2 else "race@customer.example"
        with ZammadClient(standin.url, token=TOKEN) as own:
            results.append(own.create_ticket({**payload(), "customer_id": f"guess:{email}"}))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 12
    assert len({ticket.customer_id for ticket in results}) == 1
    assert len({ticket.number for ticket in results}) == 12
    matching = [u for u in standin.store.users.values() if u["email"] == "race@customer.example"]
    assert len(matching) == 1
    assert client.find_user_by_email("RACE@customer.example").id == matching[0]["id"]  # type: ignore[union-attr]


def test_it_finds_a_fresh_ticket_by_tag_immediately(client: ZammadClient) -> None:
    client.create_ticket(payload("portal-other"))
    created = client.create_ticket(payload("portal-wanted"))

    found = client.find_ticket_by_tag("portal-wanted")

    assert found is not None and found.id == created.id
    assert client.find_ticket_by_tag("portal-missing") is None


def test_it_creates_and_finds_users_and_rejects_duplicate_emails(client: ZammadClient) -> None:
    user = client.create_user(email="New.Person@Acme.example", firstname="New", lastname="Person")

    assert (user.email, user.login) == ("new.person@acme.example", "new.person@acme.example")
    assert client.find_user_by_email("new.person@acme.example") == user
    with pytest.raises(ZammadRejected) as info:
        client.create_user(email="new.person@acme.example", firstname="X", lastname="Y")
    assert info.value.message == "Email address 'new.person@acme.example' is already used for another user."


def test_it_runs_requests_as_the_from_user_and_applies_customer_rules(client: ZammadClient) -> None:
    ticket = client.create_ticket(
        {**payload(), "customer_id": 3, "article": {"body": "b", "type": "email", "internal": True}},
        on_behalf_of="nicole.braun@zammad.org",
    )

    # Customers always create for themselves; their email articles become notes.
    assert ticket.customer_id == 2
    assert ticket.raw["created_by"] == "nicole.braun@zammad.org"
    assert (ticket.raw["create_article_type"], ticket.raw["create_article_sender"]) == ("note", "Customer")


def test_it_answers_auth_failures_like_zammad(standin: StandIn) -> None:
    standin.add_token("agent-only-token", permissions=["ticket.agent"])

    with pytest.raises(ZammadRejected) as wrong:
        ZammadClient(standin.url, token="wrong-token-123").me()
    with pytest.raises(ZammadRejected) as no_from_permission:
        ZammadClient(standin.url, token="agent-only-token").create_ticket(payload(), on_behalf_of="2")
    with pytest.raises(ZammadRejected) as unknown_user:
        ZammadClient(standin.url, token=TOKEN).create_ticket(payload(), on_behalf_of="nobody@x.example")
    anonymous = requests.get(f"{standin.url}/api/v1/users/me", timeout=2)

    assert (wrong.value.status, wrong.value.message) == (401, "Can't find User for Token")
    assert no_from_permission.value.status == 403
    assert no_from_permission.value.message == "Current user has no permission to use 'From'/'X-On-Behalf-Of'!"
    assert unknown_user.value.message == "No such user 'nobody@x.example'"
    assert anonymous.status_code == 403
    assert anonymous.json() == {"error": "Authentication required", "error_human": "Authentication required"}


def test_it_serves_the_lookups_of_a_fresh_install(client: ZammadClient) -> None:
    assert [g.name for g in client.list_groups()] == ["Users", "Support"]
    assert [p.name for p in client.list_priorities()] == ["1 low", "2 normal", "3 high"]
    assert client.get_ticket_states() == {
        1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged", 6: "pending close"
    }
    names = [a.name for a in client.list_ticket_attributes()]
    assert "title" in names and "portal_request_id" in names and "email" not in names  # email is a User attribute
    assert client.me().roles == ["Admin", "Agent"]


@pytest.mark.parametrize(("version", "shape"), [("6.2", dict), ("7.1", list)])
def test_it_renders_unexpanded_search_in_the_versions_shape(version: str, shape: type) -> None:
    with StandIn(port=0, token=TOKEN, version=version) as server:
        result = requests.post(
            f"{server.url}/api/v1/tickets/search",
            json={"condition": {"ticket.title": {"operator": "contains", "value": "welcome"}}},
            headers={"Authorization": f"Token token={TOKEN}"},
            timeout=2,
        ).json()
        expanded = ZammadClient(server.url, token=TOKEN).search_tickets({})

    assert isinstance(result, shape)
    assert (result["tickets"] if shape is dict else [t["id"] for t in result]) == [1]
    assert [t.title for t in expanded] == ["Welcome to Zammad!"]


# -- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_it_fails_the_next_create_with_a_5xx_seen_as_ambiguous(
    standin: StandIn, client: ZammadClient, status: int
) -> None:
    standin.faults.fail_next = 1
    standin.faults.status = status

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket(payload())

    assert (info.value.status, info.value.retryable, info.value.ambiguous) == (status, True, True)
    assert standin.tickets == []
    client.create_ticket(payload())  # only the next one failed
    assert len(standin.tickets) == 1


def test_it_throttles_with_429_and_retry_after(standin: StandIn, client: ZammadClient) -> None:
    standin.faults.configure(fail_next=1, status=429, retry_after=7)

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket(payload())

    assert (info.value.status, info.value.ambiguous, info.value.retry_after) == (429, False, 7.0)


def test_it_hangs_past_the_read_timeout(standin: StandIn) -> None:
    standin.faults.configure(timeout_next=1, hang_seconds=5)
    impatient = ZammadClient(standin.url, token=TOKEN, read_timeout=0.3)

    started = time.monotonic()
    with pytest.raises(ZammadUnavailable) as info:
        impatient.create_ticket(payload())

    assert time.monotonic() - started < 2
    assert (info.value.retryable, info.value.ambiguous) == (True, True)
    assert standin.tickets == []


def test_it_resets_the_connection_before_processing(standin: StandIn, client: ZammadClient) -> None:
    standin.faults.reset_next = 1

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket(payload())

    assert (info.value.retryable, info.value.ambiguous) == (True, True)
    assert standin.tickets == []


def test_it_creates_then_loses_the_response_and_the_ticket_is_found_by_tag(
    standin: StandIn, client: ZammadClient
) -> None:
    standin.faults.lose_response_next = 1

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket(payload("portal-lost-response"))

    assert (info.value.retryable, info.value.ambiguous) == (True, True)
    found = client.find_ticket_by_tag("portal-lost-response")
    assert found is not None
    assert [t["ticket"]["id"] for t in standin.tickets] == [found.id]


def test_it_refuses_connections_while_down(standin: StandIn, client: ZammadClient) -> None:
    client.me()  # leaves a pooled keep-alive connection that "down" must cut too
    standin.faults.down = True

    with pytest.raises(ZammadUnavailable) as info:
        client.create_ticket(payload())
    assert (info.value.retryable, info.value.ambiguous) == (True, False)

    standin.faults.down = False
    assert client.create_ticket(payload()).id > 1


def test_it_goes_down_and_comes_back_by_itself_via_the_control_endpoint(standin: StandIn) -> None:
    answer = requests.post(f"{standin.url}/_standin/faults", json={"down": True, "down_seconds": 0.5}, timeout=2)
    assert answer.json()["down"] is True
    time.sleep(0.1)

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{standin.url}/_standin/faults", timeout=1)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{standin.url}/_standin/faults", timeout=1).json()["down"] is False:
                break
        except requests.ConnectionError:
            time.sleep(0.05)
    else:
        pytest.fail("stand-in did not come back up")


def test_it_adds_latency_to_every_api_call(standin: StandIn, client: ZammadClient) -> None:
    standin.faults.latency = 0.2

    started = time.monotonic()
    client.me()

    assert time.monotonic() - started >= 0.2


def test_it_applies_faults_to_creates_only_unless_scoped_to_all(standin: StandIn, client: ZammadClient) -> None:
    standin.faults.configure(fail_next=1, status=503)
    client.me()  # not a create: unaffected, and the fault is still pending
    assert standin.faults.fail_next == 1

    standin.faults.configure(fail_next=1, status=503, scope="all")
    with pytest.raises(ZammadUnavailable):
        client.me()


# -- control endpoints -------------------------------------------------------------------------


def test_it_exposes_tickets_state_changes_faults_and_reset_over_http(standin: StandIn, client: ZammadClient) -> None:
    ticket = client.create_ticket(payload("portal-control"))

    listed = requests.get(f"{standin.url}/_standin/tickets", timeout=2).json()["tickets"]
    changed = requests.post(f"{standin.url}/_standin/tickets/{ticket.id}/state", json={"state": "closed"}, timeout=2)
    faults = requests.post(f"{standin.url}/_standin/faults", json={"fail_next": 2, "status": 502}, timeout=2)

    assert [t["tags"] for t in listed] == [["portal-control", "web"]]
    assert changed.json()["state"] == "closed" and client.get_ticket(ticket.id).state == "closed"
    assert (faults.json()["fail_next"], standin.faults.status) == (2, 502)
    assert requests.post(f"{standin.url}/_standin/faults", json={"nope": 1}, timeout=2).status_code == 400

    requests.post(f"{standin.url}/_standin/reset", timeout=2)
    assert standin.tickets == [] and standin.faults.fail_next == 0
    assert client.create_ticket(payload()).number == "67002"  # numbering restarts with the data


def test_it_runs_as_a_command_line_server() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "zammad_standin", "--port", str(port), "--token", TOKEN, "--group", "Support", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        assert f"127.0.0.1:{port}" in process.stdout.readline()
        groups = ZammadClient(f"http://127.0.0.1:{port}", token=TOKEN).list_groups()
        assert [g.name for g in groups] == ["Users", "Support"]
    finally:
        process.terminate()
        process.wait(timeout=5)
