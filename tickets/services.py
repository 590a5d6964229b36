"""Create a submission: the one way every channel stores a ticket and hands it to delivery."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from delivery.services import queue_delivery
from tickets.attachments import CheckedFile
from tickets.catalogue import TEXT_FIELDS
from tickets.models import Attachment, Submission, TicketType
from tickets.validation import SEVERITY_1_CONFIRMATION, Problem, ValidationResult

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


class DuplicateSubmission(Exception):
    """An idempotency key was used before; `existing` is the first submission made with it."""

    def __init__(self, existing: Submission) -> None:
        super().__init__(existing.reference)
        self.existing = existing


def format_reference(pk: int) -> str:
    return f"{settings.SUBMISSION_REFERENCE_PREFIX}-{pk:06d}"


def create_submission(
    *,
    user: User,
    ticket_type: TicketType,
    result: ValidationResult,
    channel: str,
    hold: bool = False,
    problems: list[Problem] | None = None,
    idempotency_key: str = "",
) -> Submission:
    """Store a checked submission with its attachments and queue its delivery, all in one transaction.

    `hold=True` keeps it as "needs information" (an incomplete email) instead of queueing it;
    `problems` records what was missing when it is kept or forwarded anyway.
    """
    data = result.data
    fields = {name: data.get(name, "") for name in TEXT_FIELDS if name in data}
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                ticket_type=ticket_type,
                organisation=user.organisation,
                submitter=user,
                channel=channel,
                severity=data.get("severity"),
                severity_1_confirmed=bool(data.get(SEVERITY_1_CONFIRMATION)),
                tested_at=data.get("tested_at"),
                tested_at_tz=str(data.get("tested_at_tz", "")),
                problems=[p.as_dict() for p in problems or []],
                idempotency_key=idempotency_key,
                **fields,
            )
            submission.reference = format_reference(submission.pk)
            submission.save(update_fields=["reference"])
            _store_attachments(submission, result.files)
            if hold:
                submission.status = Submission.Status.NEEDS_INFO
                submission.save(update_fields=["status"])
            else:
                queue_delivery(submission)
    except IntegrityError:
        if idempotency_key:
            existing = Submission.objects.filter(submitter=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                raise DuplicateSubmission(existing) from None
        raise
    logger.info("Stored submission %s (%s, %s)", submission.reference, ticket_type.slug, channel)
    return submission


def complete_submission(
    submission: Submission, result: ValidationResult, *, hold: bool = False, problems: list[Problem] | None = None
) -> Submission:
    """Update a held ("needs information") submission in place with more of its information.

    Used when the customer answers the portal's request for information: the same submission is
    completed instead of a second one being made, so nothing reaches support twice. Fields the
    result does not carry (missing, or still invalid) keep their stored value. New files are added
    to the existing ones. Unless `hold`, it is queued for delivery in the same transaction.
    The caller must hold a row lock on the submission and have checked it is still held.
    """
    data = result.data
    for name in TEXT_FIELDS:
        if name in data:
            setattr(submission, name, data[name])
    if "severity" in data:
        submission.severity = data["severity"]
    if "tested_at" in data:
        submission.tested_at, submission.tested_at_tz = data["tested_at"], str(data.get("tested_at_tz", ""))
    submission.severity_1_confirmed = bool(data.get(SEVERITY_1_CONFIRMATION))
    submission.problems = [p.as_dict() for p in problems or []]
    with transaction.atomic():
        submission.save()
        _store_attachments(submission, result.files)
        if not hold:
            queue_delivery(submission)
    logger.info("Completed submission %s (%s)", submission.reference, "held" if hold else "queued")
    return submission


def _store_attachments(submission: Submission, files: list[CheckedFile]) -> None:
    # Stored under a random name (see tickets.models.attachment_path), never the customer's.
    for checked in files:
        attachment = Attachment(
            submission=submission,
            filename=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        attachment.file.save(checked.name, ContentFile(checked.content), save=False)
        attachment.save()
