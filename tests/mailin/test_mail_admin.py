"""Staff see every received mail, its raw message and what was read from it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from mailin_helpers import eml

from mailin.models import InboundMessage
from mailin.services import ingest_message
from tickets.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, staff_user: Any) -> Client:
    client.force_login(staff_user)
    return client


def test_staff_find_received_mail_by_outcome_and_sender(staff_client: Client, customer: Any) -> None:
    ingest_message(eml("complete.eml"))
    ingest_message(eml("unknown_sender.eml"))
    url = reverse("admin:mailin_inboundmessage_changelist")

    unknown = staff_client.get(url, {"outcome__exact": "unknown_sender"}).content.decode()
    searched = staff_client.get(url, {"q": "alice@acme"}).content.decode()

    assert "mallory@unknown.example" in unknown and "alice@acme.example" not in unknown
    assert "IMAP logins fail for all users" in searched and "mallory" not in searched


def test_the_message_page_shows_the_raw_mail_beside_what_was_read(staff_client: Client, customer: Any) -> None:
    result = ingest_message(eml("thunderbird_reply.eml"))
    page = staff_client.get(reverse("admin:mailin_inboundmessage_change", args=[result.inbound_id])).content.decode()

    assert "User-Agent: Mozilla Thunderbird" in page  # the raw message
    assert "https://webmail.acme.example" in page and "Choose the Platform." in page  # what was read
    assert reverse("admin:mailin_inboundmessage_raw", args=[result.inbound_id]) in page
    assert reverse("admin:tickets_submission_change", args=[Submission.objects.get().pk]) in page


def test_staff_download_the_raw_message_exactly_as_received(staff_client: Client, customer: Any) -> None:
    result = ingest_message(eml("latin1.eml"))
    response = staff_client.get(reverse("admin:mailin_inboundmessage_raw", args=[result.inbound_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{result.inbound_id}.eml"'
    assert response.content == eml("latin1.eml")


def test_customers_cannot_download_raw_messages(client: Client, customer: Any) -> None:
    result = ingest_message(eml("complete.eml"))
    client.force_login(customer)
    response = client.get(reverse("admin:mailin_inboundmessage_raw", args=[result.inbound_id]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_email_submission_links_to_its_raw_message(staff_client: Client, customer: Any) -> None:
    result = ingest_message(eml("complete.eml"))
    submission = Submission.objects.get()
    page = staff_client.get(reverse("admin:tickets_submission_change", args=[submission.pk])).content.decode()

    assert reverse("admin:mailin_inboundmessage_raw", args=[result.inbound_id]) in page
    assert "&lt;complete-1@acme.example&gt;" in page


def test_staff_cannot_edit_a_received_mail(staff_client: Client, customer: Any) -> None:
    result = ingest_message(eml("complete.eml"))
    url = reverse("admin:mailin_inboundmessage_change", args=[result.inbound_id])
    staff_client.post(url, {"outcome": "rejected"})
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.ACCEPTED
