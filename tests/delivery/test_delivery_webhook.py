"""Zammad's webhook: only correctly signed calls change a submission, each delivery once."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from delivery.models import WebhookDelivery
from tickets.models import Submission

pytestmark = pytest.mark.django_db

SECRET = "shared-webhook-secret"
URL = "/zammad/webhook/"


@pytest.fixture
def forwarded(settings, submit, customer) -> Submission:
    settings.ZAMMAD_WEBHOOK_SECRET = SECRET
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.FORWARDED, zammad_ticket_id=345, zammad_ticket_number="67330", zammad_state="new",
        forwarded_at=timezone.now(),
    )
    return submission


def body_for(ticket_id: int = 345, state: object = "open") -> bytes:
    # The default payload shape of §7: nested priority/group objects, state a plain string.
    return json.dumps({
        "ticket": {"id": ticket_id, "number": "67330", "title": "IMAP logins fail", "state": state,
                   "priority": {"id": 3, "name": "3 high"}, "group": {"id": 1, "name": "Users"}},
        "article": {},
    }).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def post(client, body: bytes, **headers: str):
    return client.post(URL, body, content_type="application/json; charset=utf-8", headers=headers)


def state_of(submission: Submission) -> str:
    return Submission.objects.get(pk=submission.pk).zammad_state


def test_it_stores_the_state_from_a_correctly_signed_call(client, forwarded):
    body = body_for(state="open")

    response = post(client, body, **{"X-Hub-Signature": sign(body), "X-Zammad-Delivery": "uuid-1"})

    assert (response.status_code, response.json()) == (200, {"status": "updated"})
    assert state_of(forwarded) == "open"
    assert Submission.objects.get(pk=forwarded.pk).zammad_state_updated_at is not None


@pytest.mark.parametrize("signature", [
    sign(body_for(state="closed"), "wrong-secret"),
    "sha1=0000000000000000000000000000000000000000",
    sign(body_for(state="open")),  # signed for another body
    "garbage",
])
def test_it_refuses_a_bad_signature_with_403_and_changes_nothing(client, forwarded, signature):
    response = post(client, body_for(state="closed"), **{"X-Hub-Signature": signature, "X-Zammad-Delivery": "uuid-2"})

    assert response.status_code == 403
    assert response.json() == {"error": "Missing or invalid X-Hub-Signature."}
    assert state_of(forwarded) == "new"
    assert not WebhookDelivery.objects.exists()


def test_it_refuses_an_unsigned_call_with_403(client, forwarded):
    response = post(client, body_for(state="closed"))

    assert response.status_code == 403
    assert state_of(forwarded) == "new"


def test_it_ignores_a_redelivery_of_the_same_call(client, forwarded):
    first = body_for(state="open")
    post(client, first, **{"X-Hub-Signature": sign(first), "X-Zammad-Delivery": "uuid-3"})
    Submission.objects.filter(pk=forwarded.pk).update(zammad_state="pending reminder")  # a later change

    again = post(client, first, **{"X-Hub-Signature": sign(first), "X-Zammad-Delivery": "uuid-3"})

    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert state_of(forwarded) == "pending reminder"
    assert WebhookDelivery.objects.count() == 1


def test_it_reads_a_state_nested_like_the_other_associations(client, forwarded):
    body = body_for(state={"id": 4, "name": "closed"})

    assert post(client, body, **{"X-Hub-Signature": sign(body)}).status_code == 200
    assert state_of(forwarded) == "closed"


def test_it_acknowledges_a_ticket_the_portal_did_not_create(client, forwarded):
    body = body_for(ticket_id=999, state="closed")

    response = post(client, body, **{"X-Hub-Signature": sign(body)})

    assert (response.status_code, response.json()) == (200, {"status": "unknown ticket"})
    assert state_of(forwarded) == "new"


@pytest.mark.parametrize(("body", "message"), [
    (b"not json", "The body is not JSON."),
    (b'{"article": {}}', "The body has no “ticket” object."),
    (b'{"ticket": {"id": "x", "state": "open"}}', "The ticket has no valid “id”."),
    (b'{"ticket": {"id": 345}}', "The ticket has no “state” name."),
])
def test_it_answers_a_signed_but_malformed_body_with_400(client, forwarded, body, message):
    response = post(client, body, **{"X-Hub-Signature": sign(body)})

    assert (response.status_code, response.json()) == (400, {"error": message})
    assert state_of(forwarded) == "new"


def test_the_endpoint_does_not_exist_without_a_secret(client, settings, forwarded):
    settings.ZAMMAD_WEBHOOK_SECRET = ""
    body = body_for()

    assert post(client, body, **{"X-Hub-Signature": sign(body, "")}).status_code == 404
    assert state_of(forwarded) == "new"


def test_it_only_accepts_post(client, forwarded):
    assert client.get(URL).status_code == 405
