"""Ingest one mail: store it as received, then turn it into a submission or a precise answer.

The raw message is committed before anything else happens, so whatever fails afterwards, the
mail is kept for staff. A database error while storing is raised to the caller, which tells the
MTA to try again later (EX_TEMPFAIL); the same Message-ID never makes a second submission.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mailin import completion, replies
from mailin.models import InboundMessage
from mailin.parser import Envelope, parse_bytes, read_body, read_envelope, synthetic_message_id
from mailin.replies import Reply
from mailin.summary import needs_info_context, summarise
from mailin.template import extract_values
from tickets.models import Submission, TicketType
from tickets.services import complete_submission, create_submission
from tickets.validation import ValidationResult, validate_submission

logger = logging.getLogger(__name__)
Outcome = InboundMessage.Outcome
SUPPORT_REQUEST = "support-request"
SERVICE_REQUEST = "service-request"
NO_SUBJECT = "(no subject)"


@dataclass(frozen=True)
class IngestResult:
    outcome: str
    message_id: str
    inbound_id: int | None = None
    reference: str = ""

    def __str__(self) -> str:
        parts = [self.outcome, self.message_id]
        if self.reference:
            parts.append(self.reference)
        return " ".join(parts)


def ingest_message(raw: bytes, *, truncated: bool = False) -> IngestResult:
    """Store and process one message. Raises DatabaseError when it could not be stored."""
    message = _parse(raw)
    envelope = read_envelope(message, raw) if message is not None else Envelope(synthetic_message_id(raw))
    inbound = _store(raw, envelope, truncated)
    if inbound is None:
        logger.info("Duplicate message %s ignored", envelope.message_id)
        return IngestResult(Outcome.DUPLICATE, envelope.message_id)
    return _process(inbound, message, envelope)


def _parse(raw: bytes) -> EmailMessage | None:
    try:
        return parse_bytes(raw)
    except Exception:  # the parser is lenient; anything it still cannot take is "malformed"
        logger.info("Unparseable message of %d bytes", len(raw))
        return None


def _store(raw: bytes, envelope: Envelope, truncated: bool) -> InboundMessage | None:
    """The stored row to process, or None when this Message-ID was already processed."""
    existing = InboundMessage.objects.filter(message_id=envelope.message_id).defer("raw").first()
    if existing is not None:
        # A row still pending was stored by a run that failed half-way: process it now.
        return existing if existing.outcome == Outcome.PENDING else None
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                message_id=envelope.message_id,
                sender=envelope.sender,
                subject=envelope.subject,
                size=len(raw),
                raw=raw,
                truncated=truncated,
            )
    except IntegrityError:
        return None  # stored a moment ago by a concurrent run


def _process(inbound: InboundMessage, message: EmailMessage | None, envelope: Envelope) -> IngestResult:
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().defer("raw").get(pk=inbound.pk)
            if locked.outcome != Outcome.PENDING:
                return IngestResult(Outcome.DUPLICATE, envelope.message_id)
            reply = _decide(locked, message, envelope)
            locked.processed_at = timezone.now()
            locked.save()
    except DatabaseError:
        raise
    except Exception:  # a bug must not lose the mail: it stays stored, marked for staff
        logger.exception("Processing %s failed", envelope.message_id)
        InboundMessage.objects.filter(pk=inbound.pk).update(
            outcome=Outcome.ERROR, note=_("Processing failed; see the server log."), processed_at=timezone.now()
        )
        return IngestResult(Outcome.ERROR, envelope.message_id, inbound.pk)
    if reply is not None:
        locked.reply_status = replies.send_reply(locked, envelope, reply)
        locked.save(update_fields=["reply_status"])
    reference = locked.submission.reference if locked.submission_id else ""
    logger.info("Message %s from %s: %s %s", envelope.message_id, envelope.sender, locked.outcome, reference)
    return IngestResult(locked.outcome, envelope.message_id, locked.pk, reference or "")


def _decide(inbound: InboundMessage, message: EmailMessage | None, envelope: Envelope) -> Reply | None:
    """Set the outcome (and submission) on the row; return the reply to send, if any."""
    if inbound.truncated:
        limit = filesizeformat(settings.MAILIN_MAX_MESSAGE_BYTES)
        inbound.outcome, inbound.note = Outcome.REJECTED, _("Larger than the limit of %(limit)s.") % {"limit": limit}
        return Reply("rejected", {"reason": _("it is larger than %(limit)s") % {"limit": limit}})
    if message is None:
        # Nothing, not even a sender, could be read: there is no one to answer.
        inbound.outcome, inbound.note = Outcome.REJECTED, _("The message could not be parsed.")
        return None
    if envelope.automatic:
        inbound.outcome, inbound.note = Outcome.IGNORED_AUTO, envelope.automatic
        return None
    if not envelope.sender:
        inbound.outcome, inbound.note = Outcome.REJECTED, _("No sender address could be read.")
        return None
    if envelope.sender in replies.own_addresses():
        inbound.outcome, inbound.note = Outcome.IGNORED_AUTO, _("Sent from the portal's own address.")
        return None
    user = User.objects.get_by_email(envelope.sender)
    if user is None or not user.is_active:
        inbound.outcome = Outcome.UNKNOWN_SENDER
        return Reply("unknown_sender", {"request_url": _portal_url(reverse("accounts:request"))})
    held = completion.lock_held(user, envelope.subject)
    if held is not None:
        return _complete(inbound, message, envelope, user, held)
    return _submit(inbound, message, envelope, user)


def choose_ticket_type(user: User) -> TicketType | None:
    """Support Request for members of a registered OX customer using OX products, else Service Request."""
    organisation = user.organisation
    is_customer = bool(organisation and organisation.is_ox_customer and organisation.product_groups.exists())
    slug = SUPPORT_REQUEST if is_customer else SERVICE_REQUEST
    return TicketType.objects.filter(slug=slug, is_active=True).first()


def _submit(inbound: InboundMessage, message: EmailMessage, envelope: Envelope, user: User) -> Reply | None:
    ticket_type = choose_ticket_type(user)
    if ticket_type is None:
        logger.error("Ticket types %s/%s are missing or inactive", SUPPORT_REQUEST, SERVICE_REQUEST)
        inbound.outcome, inbound.note = Outcome.ERROR, _("The email ticket types are not configured.")
        return None
    body = read_body(message)
    values: dict[str, object] = dict(extract_values(body.text, forwarded=envelope.forwarded))
    values["subject"] = envelope.subject or values.get("subject", "")
    result = validate_submission(ticket_type=ticket_type, user=user, values=values, files=body.attachments)
    inbound.parsed = summarise(ticket_type, values, body, result, envelope)
    if result.is_valid:
        submission = create_submission(user=user, ticket_type=ticket_type, result=result, channel=Submission.Channel.EMAIL)
        return _answer(inbound, submission, values, result, user)
    _ensure_subject(result, values)
    submission = create_submission(
        user=user, ticket_type=ticket_type, result=result, channel=Submission.Channel.EMAIL,
        hold=not _urgent(result), problems=result.problems,
    )
    return _answer(inbound, submission, values, result, user)


def _complete(
    inbound: InboundMessage, message: EmailMessage, envelope: Envelope, user: User, held: Submission
) -> Reply:
    """Complete the sender's held submission (row-locked by the caller) with this answer."""
    body = read_body(message)
    values = completion.merge(held, body, forwarded=envelope.forwarded)
    result = completion.validate_merged(held, user, values, body)
    inbound.parsed = {**summarise(held.ticket_type, values, body, result, envelope), "completes": held.reference}
    hold = not (result.is_valid or _urgent(result))
    complete_submission(held, result, hold=hold, problems=result.problems)
    return _answer(inbound, held, values, result, user)


def _urgent(result: ValidationResult) -> bool:
    # Severity 1 is never held back: forwarded at once, marked incomplete, the sender asked for more.
    return not result.is_valid and result.data.get("severity") == 1


def _answer(
    inbound: InboundMessage, submission: Submission, values: dict[str, object], result: ValidationResult, user: User
) -> Reply:
    """Record the outcome for the stored (or completed) submission; the acknowledgement or what is missing."""
    inbound.submission = submission
    if result.is_valid:
        inbound.outcome = Outcome.ACCEPTED
        return Reply("accepted", {"submission": submission, "detail_url": _portal_url(submission.get_absolute_url())})
    urgent = _urgent(result)
    inbound.outcome = Outcome.ACCEPTED if urgent else Outcome.NEEDS_INFO
    ticket_type = submission.ticket_type
    form_url = _portal_url(_form_path(ticket_type, user))
    return Reply("needs_info", needs_info_context(ticket_type, values, result, submission, form_url, urgent))


def _form_path(ticket_type: TicketType, user: User) -> str:
    """The web form for this type when the sender is offered it, else the list of their types."""
    if TicketType.objects.offered_to(user).filter(pk=ticket_type.pk).exists():
        return reverse("tickets:create", args=[ticket_type.slug])
    return reverse("tickets:types")


def _ensure_subject(result: ValidationResult, values: dict[str, object]) -> None:
    # A kept submission needs a subject even when the mail had none (or one that is too long).
    if "subject" not in result.data:
        raw = " ".join(str(values.get("subject") or "").split())
        result.data["subject"] = raw[:200] or NO_SUBJECT


def _portal_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"
