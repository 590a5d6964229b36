"""No message lost or doubled, no loops, no crash: the mail channel's safety rules."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from typing import Any

import pytest
from django.core import mail
from mailin_helpers import build_mail, eml, only_reply

from mailin import services
from mailin.models import InboundMessage, ReplyLog
from mailin.services import ingest_message
from mailin.sources import read_stream
from mailin.template import extract_values
from tickets.models import Submission

pytestmark = pytest.mark.django_db
Outcome = InboundMessage.Outcome
ReplyStatus = InboundMessage.ReplyStatus


def test_the_same_message_twice_makes_one_submission_and_one_reply(customer: Any) -> None:
    first = ingest_message(eml("complete.eml"))
    second = ingest_message(eml("complete.eml"))

    assert (first.outcome, second.outcome) == (Outcome.ACCEPTED, Outcome.DUPLICATE)
    assert Submission.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_message_without_message_id_is_recognised_by_its_bytes(customer: Any) -> None:
    outcomes = [ingest_message(eml("outlook_reply.eml")).outcome for _ in range(2)]
    assert outcomes == [Outcome.ACCEPTED, Outcome.DUPLICATE]
    assert InboundMessage.objects.get().message_id.endswith("@mailin.invalid>")


def test_a_message_stored_by_a_run_that_failed_is_processed_on_the_retry(customer: Any) -> None:
    raw = eml("complete.eml")
    InboundMessage.objects.create(message_id="<complete-1@acme.example>", raw=raw, size=len(raw))

    result = ingest_message(raw)

    assert result.outcome == Outcome.ACCEPTED
    assert InboundMessage.objects.get().submission == Submission.objects.get()


def test_machine_mail_makes_nothing_and_gets_no_answer(customer: Any) -> None:
    for name in ("auto_reply.eml", "bounce.eml"):
        assert ingest_message(eml(name)).outcome == Outcome.IGNORED_AUTO
    assert Submission.objects.count() == 0 and mail.outbox == []
    assert set(InboundMessage.objects.values_list("note", flat=True)) == {"Auto-Submitted: auto-replied"}


def test_list_mail_is_kept_as_a_submission_but_not_answered(customer: Any) -> None:
    result = ingest_message(eml("mailing_list.eml"))

    assert result.outcome == Outcome.NEEDS_INFO
    assert InboundMessage.objects.get().reply_status == ReplyStatus.SUPPRESSED
    assert mail.outbox == []


def test_mail_from_the_portals_own_address_is_ignored(customer: Any) -> None:
    result = ingest_message(build_mail("Severity: 3", sender="Support <SUPPORT@example.com>"))
    assert result.outcome == Outcome.IGNORED_AUTO and mail.outbox == []


def test_replies_to_one_sender_stop_at_the_hourly_limit(settings: Any) -> None:
    settings.MAILIN_REPLY_LIMIT_PER_HOUR = 3
    for number in range(5):
        ingest_message(build_mail("hello", sender="bot@unknown.example", message_id=f"<loop-{number}@x>"))

    assert len(mail.outbox) == 3
    statuses = list(InboundMessage.objects.order_by("id").values_list("reply_status", flat=True))
    assert statuses == [ReplyStatus.SENT] * 3 + [ReplyStatus.RATE_LIMITED] * 2
    assert ReplyLog.objects.filter(recipient="bot@unknown.example").count() == 3


def test_every_reply_marks_itself_automatic_and_threads_to_the_mail(customer: Any) -> None:
    ingest_message(build_mail("Severity: 3", headers="References: <a@x>\n"))
    headers = only_reply().extra_headers
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["In-Reply-To"] == "<t-1@acme.example>"
    assert headers["References"] == "<a@x> <t-1@acme.example>"


def test_a_huge_message_is_kept_truncated_and_the_sender_told(settings: Any, customer: Any) -> None:
    settings.MAILIN_MAX_MESSAGE_BYTES = 2000
    incoming = read_stream(io.BytesIO(build_mail("x" * 50_000)))

    result = ingest_message(incoming.raw, truncated=incoming.truncated)

    stored = InboundMessage.objects.get()
    assert result.outcome == Outcome.REJECTED
    assert (stored.truncated, len(bytes(stored.raw))) == (True, 2000)
    assert "larger than 2.0\xa0KB" in only_reply().body
    assert Submission.objects.count() == 0


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.log", b"\0" * 20_000_000)
    return buffer.getvalue()


def test_a_compressed_bomb_is_refused_with_the_cores_message(customer: Any) -> None:
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "alice@acme.example", "Logs", "<bomb@x>"
    message.set_content("Severity: 3\nIssue Description: see the logs")
    message.add_attachment(_zip_bomb(), maintype="application", subtype="zip", filename="logs.zip")

    result = ingest_message(message.as_bytes())

    assert result.outcome == Outcome.NEEDS_INFO
    assert Submission.objects.get().attachments.count() == 0
    assert "“logs.zip” would expand to far more data than it holds" in only_reply().body


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage \r\n\r\n\x00",
        b"From: alice@acme.example\nContent-Type: multipart/mixed\n\nno boundary at all",
        b"From: alice@acme.example\nContent-Type: text/plain; charset=no-such-charset\n"
        b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!",
        b"From: =?utf-8?b?broken?= <alice@acme.example>\nSubject: =?x-unknown?q?abc?=\n\nSeverity: 3",
        b"From: \"unterminated <alice@acme.example\nMessage-ID: " + b"<" * 400 + b"\n\nhi",
    ],
)
def test_malformed_mail_is_stored_and_answered_without_a_crash(raw: bytes, customer: Any) -> None:
    result = ingest_message(raw)
    assert result.outcome not in (Outcome.ERROR, Outcome.PENDING)
    assert InboundMessage.objects.get().raw == raw


def test_a_processing_bug_keeps_the_message_for_staff(monkeypatch: Any, customer: Any) -> None:
    monkeypatch.setattr(services, "validate_submission", _raise_bug)

    result = ingest_message(eml("complete.eml"))

    stored = InboundMessage.objects.get()
    assert (result.outcome, stored.outcome) == (Outcome.ERROR, Outcome.ERROR)
    assert bytes(stored.raw) == eml("complete.eml")
    assert Submission.objects.count() == 0


def _raise_bug(**kwargs: Any) -> None:
    raise RuntimeError("bug")


def test_a_reply_that_cannot_be_sent_does_not_lose_the_submission(monkeypatch: Any, customer: Any) -> None:
    monkeypatch.setattr("django.core.mail.EmailMessage.send", _smtp_down)

    result = ingest_message(eml("complete.eml"))

    assert result.outcome == Outcome.ACCEPTED and Submission.objects.count() == 1
    assert InboundMessage.objects.get().reply_status == ReplyStatus.FAILED


def _smtp_down(*args: Any, **kwargs: Any) -> None:
    raise OSError("connection refused")


def test_a_deactivated_account_counts_as_unknown(customer: Any) -> None:
    customer.is_active = False
    customer.save()
    assert ingest_message(eml("complete.eml")).outcome == Outcome.UNKNOWN_SENDER
    assert Submission.objects.count() == 0


def test_members_of_an_organisation_that_is_no_ox_customer_open_service_requests(customer: Any) -> None:
    customer.organisation.is_ox_customer = False
    customer.organisation.save()
    ingest_message(build_mail("Issue Description: please reset our demo tenant"))
    assert Submission.objects.get().ticket_type.slug == "service-request"


def test_severity_1_confirmed_by_mail_is_complete(customer: Any) -> None:
    raw = eml("complete.eml").replace(b"Severity: 2", b"Severity: 1\nSeverity 1 confirmed: yes")
    ingest_message(raw)
    submission = Submission.objects.get()
    assert (submission.severity, submission.severity_1_confirmed, submission.problems) == (1, True, [])


def test_a_mail_without_subject_is_kept_with_a_stand_in_subject(customer: Any) -> None:
    ingest_message(build_mail("Issue Description: x", subject=""))
    submission = Submission.objects.get()
    assert (submission.subject, submission.status) == ("(no subject)", Submission.Status.NEEDS_INFO)
    assert "- Subject: Enter a subject: one line that says what is wrong." in only_reply().body


def test_the_prefilled_template_in_the_reply_reads_back_to_the_same_values(customer: Any) -> None:
    ingest_message(eml("thunderbird_reply.eml"))
    template = only_reply().body.split("support-request/\n\n", 1)[1].split("\n-- \n", 1)[0]
    assert extract_values(template) == {
        "license_key": "OX-SUP-ACME-0001", "server": "https://webmail.acme.example", "severity": "3",
        "description": "The login page stays blank in Firefox.",
    }
