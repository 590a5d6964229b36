"""A mail becomes a ticket in Zammad: mail → submission → delivery → the Zammad stand-in."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from mailin_helpers import eml

from delivery import services as delivery
from tickets.models import Submission
from zammad_standin import StandIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def zammad(settings: Any) -> Iterator[StandIn]:
    server = StandIn(port=0, token="test-token", groups=["Users"]).start()
    settings.ZAMMAD_URL = server.url
    settings.ZAMMAD_TOKEN = "test-token"
    settings.ZAMMAD_CONNECT_TIMEOUT = 1
    settings.ZAMMAD_READ_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


def test_a_complete_mail_with_attachments_reaches_zammad_as_a_ticket(zammad: StandIn, customer: Any) -> None:
    call_command("ingest_email", stdin=io.BytesIO(eml("with_attachments.eml")), stdout=io.StringIO())
    submission = Submission.objects.get()

    assert delivery.deliver(submission.pk) == "forwarded"

    (ticket,) = zammad.tickets
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FORWARDED
    assert ticket["ticket"]["title"] == "IMAP crash with logs"
    assert ticket["customer"]["email"] == "alice@acme.example"
    (article,) = ticket["articles"]
    assert "The IMAP server crashes, log attached." in article["body"]
    assert "OX-SUP-ACME-0001" in article["body"]
    assert sorted(a["filename"] for a in article["attachments"]) == ["imap.log", "screenshot.png"]


def test_an_incomplete_mail_reaches_zammad_only_when_staff_forward_it(zammad: StandIn, customer: Any) -> None:
    call_command("ingest_email", stdin=io.BytesIO(eml("thunderbird_reply.eml")), stdout=io.StringIO())
    submission = Submission.objects.get()

    assert delivery.deliver(submission.pk) == "skipped"
    assert zammad.tickets == []

    assert delivery.forward_anyway(submission) is True
    assert delivery.deliver(submission.pk) == "forwarded"
    (ticket,) = zammad.tickets
    assert ticket["ticket"]["title"] == "Login page blank"
