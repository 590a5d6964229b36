"""The sample corpus: each message under messages/ and what a customer and staff get from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from mailin_helpers import build_mail, eml, only_reply

from mailin.models import InboundMessage
from mailin.services import ingest_message
from tickets.models import Submission

pytestmark = pytest.mark.django_db
Outcome = InboundMessage.Outcome
Status = Submission.Status


@dataclass(frozen=True)
class Expected:
    outcome: str
    status: str | None = None  # the submission's status; None when no submission is made
    ticket_type: str = "support-request"
    fields: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # fields named in the submission's problems
    reply: tuple[str, ...] = ()  # phrases of the reply; empty: no reply at all
    attachments: tuple[str, ...] = ()


UMLAUT_FIELDS = {
    "description": "Die Suche findet keine Namen mit Umlauten (ä, ö, ü, ß).\nBetrifft alle Benutzer.",
    "steps_to_reproduce": 'Im Adressbuch nach "Müller" suchen.',
    "recent_changes": "keine",
}
ACK = ("was received as Support Request OXP-", "https://helpdesk.example.com/tickets/OXP-")

CORPUS: dict[str, Expected] = {
    "complete.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED,
        fields={
            "subject": "IMAP logins fail for all users", "license_key": "OX-SUP-ACME-0001",
            "server": "https://mail.acme.example", "server_version": "8.22.0", "platform": "Debian 12",
            "environment": "Production", "gui_version": "8.22.1", "severity": 2, "end_user_impact": "All",
            "track_id": "ACME-4711", "recent_changes": "none",
            "description": "Since 10:40 no user can log in via IMAP.\nWebmail still works.",
            "steps_to_reproduce": "1. Open Thunderbird\n2. Log in with any account",
            "client": "Thunderbird 128", "tested_at_tz": "Europe/Berlin",
            "current_behaviour": "AUTHENTICATE fails with NO [UNAVAILABLE] at 09:30",
            "expected_behaviour": "Login succeeds", "test_account": "test01@acme.example",
        },
        reply=ACK,
    ),
    "sloppy.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED,
        fields={
            "subject": "calendar sync broken", "license_key": "OX-SUP-ACME-0001", "server": "https://dav.acme.example",
            "server_version": "7.10.6-rev36", "platform": "Debian 12", "environment": "Production", "severity": 3,
            "end_user_impact": "Multiple", "track_id": "ACME-99",
            "recent_changes": "Updated the CalDAV bridge on 2024-11-29 18:00 CET.\nNothing else.",
            "description": "CalDAV clients stop syncing after a few minutes.\nThey show a 500 error.",
            "steps_to_reproduce": "1) add the account in Apple Calendar\n2) wait 5 minutes",
            "tested_at_tz": "+01:00", "current_behaviour": "sync fails with HTTP 500",
            "expected_behaviour": "sync keeps working",
        },
        reply=ACK,
    ),
    "quoted_printable.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED,
        fields={**UMLAUT_FIELDS, "subject": "Suche nach Umlauten schlägt fehl",
                "expected_behaviour": "Der Kontakt „Jörg Müller“ wird gefunden."},
        reply=ACK,
    ),
    "base64.eml": Expected(Outcome.ACCEPTED, Status.QUEUED, fields=UMLAUT_FIELDS, reply=ACK),
    "latin1.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED, fields={**UMLAUT_FIELDS, "subject": "Suche nach Müller"}, reply=ACK
    ),
    "html_only.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED,
        fields={
            "server": "https://mail.acme.example", "end_user_impact": "Single",
            "description": "Drafts are lost when the session times out.",
            "current_behaviour": "The draft is gone & an error <SESSION_EXPIRED> is shown.",
        },
        reply=ACK,
    ),
    "outlook_reply.eml": Expected(
        # The quoted "Server: https://old-server.example" and "Severity: 1" below the
        # "-----Original Message-----" line are not read.
        Outcome.ACCEPTED, Status.QUEUED,
        fields={"subject": "Mail queue stuck", "server": "https://mx.acme.example", "severity": 2,
                "expected_behaviour": "Mails are delivered."},
        reply=ACK,
    ),
    "thunderbird_reply.eml": Expected(
        Outcome.NEEDS_INFO, Status.NEEDS_INFO,
        fields={"subject": "Login page blank", "server": "https://webmail.acme.example", "server_version": "",
                "severity": 3},
        problems=("server_version", "platform", "environment", "end_user_impact", "recent_changes",
                  "steps_to_reproduce", "tested_at", "current_behaviour", "expected_behaviour"),
        reply=(
            "cannot be passed to OX support yet",
            "- Server Version: Enter the Server Version; support needs it for this ticket type.",
            "- Platform: Choose the Platform.",
            "https://helpdesk.example.com/tickets/new/support-request/",
            "Server: https://webmail.acme.example\n",
        ),
    ),
    "forwarded.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED,
        fields={"subject": "Push notifications delayed", "server": "https://push.acme.example",
                "description": "Push notifications arrive 10 minutes late."},
        reply=ACK,
    ),
    "with_attachments.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED, fields={"severity": 2}, reply=ACK,
        attachments=("imap.log", "screenshot.png"),
    ),
    "severity1_incomplete.eml": Expected(
        # Never held back: queued at once, marked incomplete, the sender asked for the rest.
        Outcome.ACCEPTED, Status.QUEUED, fields={"severity": 1, "subject": "URGENT: all mail services down"},
        problems=("server_version", "platform", "recent_changes", "steps_to_reproduce", "tested_at",
                  "current_behaviour", "expected_behaviour", "severity_1_confirmed"),
        reply=("has been passed to OX support right away", "- Severity 1 confirmation: Severity 1 is only for",
               "Severity 1 confirmed: "),
    ),
    "no_template.eml": Expected(
        Outcome.ACCEPTED, Status.QUEUED, ticket_type="service-request",
        fields={"subject": "Invoice for November", "description": (
            "Hello,\n\ncould you please send us the invoice for November again?\nThe first one never arrived."
        )},
        reply=("was received as Service Request OXP-",),
    ),
    "unknown_sender.eml": Expected(
        Outcome.UNKNOWN_SENDER,
        reply=("mallory@unknown.example is not registered", "https://helpdesk.example.com/accounts/request/",
               "Your mail has been kept"),
    ),
    "auto_reply.eml": Expected(Outcome.IGNORED_AUTO),
    "bounce.eml": Expected(Outcome.IGNORED_AUTO),
}


@pytest.fixture(autouse=True)
def _accounts(customer: Any, loner: Any) -> None:
    """alice@acme.example (a registered OX customer) and solo@nowhere.example (no organisation)."""


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_it_handles_each_sample_message_as_expected(name: str) -> None:
    expected = CORPUS[name]
    result = ingest_message(eml(name))

    assert result.outcome == expected.outcome
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == expected.outcome
    assert bytes(inbound.raw) == eml(name)
    _check_submission(inbound, expected)
    _check_reply(inbound, expected)


def _check_submission(inbound: InboundMessage, expected: Expected) -> None:
    if expected.status is None:
        assert Submission.objects.count() == 0
        return
    submission = Submission.objects.get()
    assert inbound.submission == submission
    assert submission.channel == Submission.Channel.EMAIL
    assert submission.status == expected.status
    assert submission.ticket_type.slug == expected.ticket_type
    for name, value in expected.fields.items():
        assert getattr(submission, name) == value, name
    assert [p["field"] for p in submission.problems] == list(expected.problems)
    assert sorted(a.filename for a in submission.attachments.all()) == list(expected.attachments)


def _check_reply(inbound: InboundMessage, expected: Expected) -> None:
    if not expected.reply:
        assert mail.outbox == []
        return
    assert inbound.reply_status == InboundMessage.ReplyStatus.SENT
    (reply,) = mail.outbox
    for phrase in expected.reply:
        assert phrase in reply.body
    assert reply.to == [inbound.sender]
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert reply.subject.startswith("Re: ")


def test_an_incomplete_mail_links_to_a_form_the_sender_may_use(customer: Any) -> None:
    # A registered customer with only cloud products gets Support Request by mail (as OX
    # defines it) but is not offered its web form: the reply links to the types they can use.
    from accounts.models import ProductGroup

    customer.organisation.product_groups.set([ProductGroup.objects.get(slug="cloud")])
    ingest_message(build_mail("Issue Description: IMAP is slow", subject="Slow IMAP"))
    body = only_reply().body
    assert "https://helpdesk.example.com/tickets/new/\n" in body
    assert "/tickets/new/support-request/" not in body
