"""Queue a submission for delivery to Zammad."""

from __future__ import annotations

from django.utils import timezone

from tickets.models import Submission


def queue_delivery(submission: Submission) -> None:
    """Mark the submission queued and enqueue its delivery task in the caller's transaction."""
    from delivery.tasks import deliver_submission

    now = timezone.now()
    submission.status = Submission.Status.QUEUED
    submission.queued_at = submission.queued_at or now
    submission.next_attempt_at = now
    submission.save(update_fields=["status", "queued_at", "next_attempt_at", "updated_at"])
    deliver_submission.enqueue(submission.pk)
