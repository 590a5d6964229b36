"""Tell the customer their ticket now exists in Zammad, with its number: once per submission."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tickets.models import Submission

logger = logging.getLogger(__name__)


def send_confirmation(submission_id: int) -> bool:
    """Send the confirmation unless it went out already; True when a mail was sent now."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .filter(pk=submission_id, status=Submission.Status.FORWARDED, confirmation_sent_at__isnull=True)
            .first()
        )
        if submission is None:
            return False
        subject, body = render_confirmation(submission)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.submitter.email])
        submission.confirmation_sent_at = timezone.now()
        submission.save(update_fields=["confirmation_sent_at", "updated_at"])
    logger.info("Sent the Zammad confirmation for %s", submission.reference)
    return True


def render_confirmation(submission: Submission) -> tuple[str, str]:
    context = {
        "submission": submission,
        "customer_name": submission.submitter.first_name or submission.submitter.email,
        "detail_url": settings.PORTAL_BASE_URL + submission.get_absolute_url(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("delivery/email/confirmation_subject.txt", context)
        body = render_to_string("delivery/email/confirmation_body.txt", context)
    # A header must be one line, whatever the template's trailing newline.
    return " ".join(subject.split()), body
