"""Completion by reply: answering the needs-information reply completes the held submission."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.utils import translation
from mailin_helpers import build_mail, only_reply

from delivery.services import queue_delivery
from mailin.models import InboundMessage
from mailin.services import ingest_message
from tickets.catalogue import FIELDS_BY_NAME
from tickets.models import Submission

pytestmark = pytest.mark.django_db
Outcome = InboundMessage.Outcome
Status = Submission.Status

FIRST = ("license_key", "server", "severity", "description")
REST = (
    "server_version", "platform", "environment", "gui_version", "end_user_impact", "track_id", "recent_changes",
    "steps_to_reproduce", "client", "tested_at", "current_behaviour", "expected_behaviour", "test_account",
)


def template(values: dict[str, Any], names: tuple[str, ...]) -> str:
    """The named fields as a customer fills in the mail template (English labels)."""
    with translation.override("en"):
        return "\n".join(f"{FIELDS_BY_NAME[name].label}: {values[name]}" for name in names)


def with_attachment(raw: bytes, name: str, content: bytes) -> bytes:
    """The plain message `raw` with one file attached."""
    head, _, body = raw.decode().partition("\n\n")
    message = EmailMessage()
    for line in head.splitlines():
        key, _, value = line.partition(": ")
        if key and key != "Content-Type":
            message[key] = value
    message.set_content(body)
    message.add_attachment(content, maintype="text", subtype="plain", filename=name)
    return message.as_bytes()


@pytest.fixture
def held(customer: Any, incident_values: dict[str, Any]) -> Submission:
    """An incomplete mail, kept as "needs information"; the reply it got is cleared."""
    ingest_message(build_mail(template(incident_values, FIRST), subject="Login page blank", message_id="<first@x>"))
    submission = Submission.objects.get()
    assert submission.status == Status.NEEDS_INFO
    mail.outbox.clear()
    return submission


def answer(submission: Submission, body: str, *, message_id: str = "<answer@x>", sender: str = "alice@acme.example",
           subject: str = "") -> bytes:
    return build_mail(body, sender=sender, message_id=message_id,
                      subject=subject or f"Re: Login page blank [{submission.reference}]")


def test_the_needs_info_reply_carries_the_reference_in_its_subject(customer: Any, incident_values: dict[str, Any]) -> None:
    ingest_message(build_mail(template(incident_values, FIRST), subject="Login page blank"))
    submission = Submission.objects.get()
    reply = only_reply()
    assert reply.subject == f"Re: Login page blank [{submission.reference}]"
    assert "Please answer this mail" in reply.body and f"[{submission.reference}]" in reply.body


def test_an_answer_with_the_missing_fields_completes_the_same_submission(
    held: Submission, incident_values: dict[str, Any]
) -> None:
    raw = with_attachment(answer(held, template(incident_values, REST)), "server.log", b"IMAP error\n")

    result = ingest_message(raw)

    assert Submission.objects.count() == 1
    held.refresh_from_db()
    assert (result.outcome, result.reference) == (Outcome.ACCEPTED, held.reference)
    assert (held.status, held.problems) == (Status.QUEUED, [])
    assert (held.subject, held.license_key, held.severity) == ("Login page blank", "OX-SUP-ACME-0001", 2)
    assert (held.description, held.platform, held.test_account) == (
        incident_values["description"], "Debian 12", "test01@acme.example"
    )
    assert [a.filename for a in held.attachments.all()] == ["server.log"]
    assert InboundMessage.objects.get(message_id="<answer@x>").submission == held
    reply = only_reply()
    assert reply.subject == f"Re: Login page blank [{held.reference}]"
    assert f"was received as Support Request {held.reference}" in reply.body


def test_a_partial_answer_keeps_it_held_and_asks_only_for_the_rest(
    held: Submission, incident_values: dict[str, Any]
) -> None:
    before = {p["field"] for p in held.problems}

    result = ingest_message(answer(held, template(incident_values, REST[:4])))

    held.refresh_from_db()
    remaining = {p["field"] for p in held.problems}
    assert (result.outcome, held.status, Submission.objects.count()) == (Outcome.NEEDS_INFO, Status.NEEDS_INFO, 1)
    assert remaining == before - set(REST[:4]) and remaining
    assert (held.server_version, held.platform, held.license_key) == ("8.22.0", "Debian 12", "OX-SUP-ACME-0001")
    reply = only_reply()
    assert reply.subject.endswith(f"[{held.reference}]") and reply.subject.count(held.reference) == 1
    problems_text = reply.body.split("Please answer")[0]
    assert "- Platform:" not in problems_text and "- Expected behaviour:" in problems_text


def test_an_incomplete_severity_1_answer_is_queued_at_once(held: Submission, incident_values: dict[str, Any]) -> None:
    ingest_message(answer(held, "Severity: 1\nSeverity 1 confirmed: yes"))
    held.refresh_from_db()
    assert (held.status, held.severity, held.severity_1_confirmed) == (Status.QUEUED, 1, True)
    assert held.problems and Submission.objects.count() == 1


def test_a_tag_of_another_users_held_submission_makes_a_new_one(
    held: Submission, colleague: Any, incident_values: dict[str, Any]
) -> None:
    result = ingest_message(answer(held, template(incident_values, REST), sender="bob@acme.example"))

    new = Submission.objects.exclude(pk=held.pk).get()
    assert (result.reference, new.submitter) == (new.reference, colleague)
    held.refresh_from_db()
    assert (held.status, held.platform, held.attachments.count()) == (Status.NEEDS_INFO, "", 0)


def test_a_tag_of_a_queued_submission_makes_a_new_one(held: Submission, incident_values: dict[str, Any]) -> None:
    queue_delivery(held)
    held.refresh_from_db()
    queued_at = held.queued_at

    ingest_message(answer(held, template(incident_values, REST)))

    assert Submission.objects.count() == 2
    held.refresh_from_db()
    assert (held.status, held.queued_at, held.platform) == (Status.QUEUED, queued_at, "")


def test_two_completions_queue_the_held_submission_once(held: Submission, incident_values: dict[str, Any]) -> None:
    body = template(incident_values, REST)
    with mock.patch("tickets.services.queue_delivery", wraps=queue_delivery) as queued:
        ingest_message(answer(held, body, message_id="<one@x>"))
        held.refresh_from_db()
        queued_at = held.queued_at
        ingest_message(answer(held, body, message_id="<two@x>"))

    held.refresh_from_db()
    assert [call.args[0].pk for call in queued.call_args_list].count(held.pk) == 1
    assert (held.status, held.queued_at) == (Status.QUEUED, queued_at)
    second = InboundMessage.objects.get(message_id="<two@x>").submission
    assert second is not None and second.pk != held.pk


def test_a_reference_in_the_subject_of_a_first_mail_is_not_repeated(customer: Any) -> None:
    ingest_message(build_mail("Severity: 3", subject="Problem [OXP-999999]"))
    submission = Submission.objects.get()
    assert only_reply().subject == f"Re: Problem [{submission.reference}]"


def test_stored_values_survive_the_merge_with_their_time_zone(customer: Any, incident_values: dict[str, Any]) -> None:
    first = template(incident_values, FIRST) + "\nDate/time of test: 2026-03-14 09:30 Europe/Berlin"
    ingest_message(build_mail(first, subject="Login page blank", message_id="<first@x>"))
    held = Submission.objects.get()
    rest = tuple(name for name in REST if name != "tested_at")

    ingest_message(answer(held, template(incident_values, rest)))

    held.refresh_from_db()
    assert (held.status, held.tested_at_tz) == (Status.QUEUED, "Europe/Berlin")
    assert held.tested_at.isoformat() == "2026-03-14T08:30:00+00:00"
