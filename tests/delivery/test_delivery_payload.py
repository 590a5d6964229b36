"""The exact ticket a submission becomes in Zammad, and how operators map it."""

from __future__ import annotations

import base64

import pytest

from delivery.mapping import build_ticket_payload
from tickets.attachments import IncomingFile

pytestmark = pytest.mark.django_db

TESTED = "2026-03-14 09:30 Europe/Berlin"


def test_it_builds_the_exact_create_request_for_an_incident(submit, customer):
    log = IncomingFile("imap.log", b"2026-03-14 09:30 AUTHENTICATE failed\n")
    submission = submit(customer, files=(log,), tested_at=TESTED, severity="1", severity_1_confirmed="yes")
    ref = submission.reference

    payload = build_ticket_payload(submission, 42)

    body = payload["article"].pop("body")
    assert payload == {
        "title": "IMAP logins fail for all users",
        "group": "Users",
        "customer_id": 42,
        "priority": "3 high",
        "tags": f"incident,severity-1,production,web,portal-{ref.lower()}",
        "article": {
            "type": "web",
            "sender": "Customer",
            "internal": False,
            "content_type": "text/plain",
            "subject": "IMAP logins fail for all users",
            "attachments": [{
                "filename": "imap.log",
                "data": base64.b64encode(b"2026-03-14 09:30 AUTHENTICATE failed\n").decode(),
                "mime-type": "text/plain",
            }],
        },
    }
    assert body == (
        f"Submitted through the OX helpdesk portal (Web) as Incident, reference {ref}.\n"
        "Customer: Alice <alice@acme.example>, Acme Mail AG\n"
        "\n"
        "Subject: IMAP logins fail for all users\n"
        "License Key: OX-SUP-ACME-0001\n"
        "Server: https://mail.acme.example\n"
        "Server Version: 8.22.0\n"
        "Platform: Debian 12\n"
        "Environment: Production\n"
        "GUI Version: 8.22.1\n"
        "Severity: Severity 1 – Critical – confirmed by the customer as a complete outage or security threat\n"
        "End-User-Impact: All users\n"
        "Track-ID: ACME-4711\n"
        "Recent changes: None in the last 24 hours\n"
        "Issue Description: Since 10:40 no user can log in via IMAP.\n"
        "Steps to reproduce:\n"
        "    1. Open Thunderbird\n"
        "    2. Log in\n"
        "    3. See the error\n"
        "\n"
        "Used OS/Browser/Client: Thunderbird 128\n"
        "Date/time of test: 2026-03-14 09:30 (Europe/Berlin)\n"
        "Current behaviour: AUTHENTICATE fails with NO [UNAVAILABLE]\n"
        "Expected behaviour: Login succeeds\n"
        "Test account: test01@acme.example\n"
        "Attachments: imap.log (37 B)\n"
        "\n"
        f"Portal: http://127.0.0.1:8000/tickets/{ref}/\n"
    )


def test_it_marks_empty_optional_fields_and_lists_what_was_missing(submit, customer):
    submission = submit(customer, track_id="", hold=True)
    submission.problems = [{"field": "track_id", "code": "required", "message": "Enter the Track-ID."}]

    body = build_ticket_payload(submission, 42)["article"]["body"]

    assert "Track-ID: (not given)\n" in body
    assert "Missing or invalid information (forwarded anyway):\n- Enter the Track-ID.\n" in body


def test_it_cuts_the_title_to_the_200_characters_zammad_keeps(submit, customer):
    submission = submit(customer)
    submission.subject = "x" * 250

    assert build_ticket_payload(submission, 42)["title"] == "x" * 200


def test_it_uses_the_operators_group_priority_and_custom_attribute_mapping(settings, submit, customer):
    settings.ZAMMAD_GROUPS = {"incident": "2nd Level"}
    settings.ZAMMAD_PRIORITIES = {"3": "2 normal"}
    settings.ZAMMAD_CUSTOM_FIELDS = {
        "license_key": "ox_license_key", "severity": "ox_severity", "end_user_impact": "ox_impact",
        "platform": "ox_platform", "track_id": "ox_track", "reference": "portal_request_id",
    }
    submission = submit(customer, severity="3", track_id="")

    payload = build_ticket_payload(submission, 42)

    assert payload["group"] == "2nd Level"
    assert payload["priority"] == "2 normal"
    assert {key: payload[key] for key in payload if key.startswith(("ox_", "portal_"))} == {
        "ox_license_key": "OX-SUP-ACME-0001", "ox_severity": "3", "ox_impact": "All", "ox_platform": "Debian 12",
        "portal_request_id": submission.reference,
    }  # an empty Track-ID is left out rather than sent as an invalid value


def test_it_falls_back_to_the_default_group_and_priority(settings, submit, customer):
    settings.ZAMMAD_GROUPS = {"feedback": "Product"}
    settings.ZAMMAD_PRIORITIES = {}
    settings.ZAMMAD_DEFAULT_GROUP = "Support"
    settings.ZAMMAD_DEFAULT_PRIORITY = "2 normal"

    payload = build_ticket_payload(submit(customer), "guess:alice@acme.example")

    assert (payload["group"], payload["priority"], payload["customer_id"]) == (
        "Support", "2 normal", "guess:alice@acme.example"
    )


@pytest.mark.parametrize(("channel", "severity", "environment", "tags"), [
    ("email", "4", "Production", "incident,severity-4,production,email"),
    ("api", "3", "Staging", "incident,severity-3,staging,api"),
])
def test_it_tags_type_severity_environment_and_channel(submit, customer, channel, severity, environment, tags):
    submission = submit(customer, channel=channel, severity=severity, environment=environment)

    assert build_ticket_payload(submission, 1)["tags"] == f"{tags},portal-{submission.reference.lower()}"
