"""Periodic work: re-queue deliveries a crashed worker lost, and poll Zammad states without a webhook.

django-tasks has no scheduler, so `manage.py delivery_sweep` runs one pass (cron or a systemd
timer every minute in production; `run_dev` loops it). Every step is safe to repeat: a
duplicate delivery task finds nothing to claim.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from delivery.tasks import deliver_submission, send_confirmation
from delivery.zammad import build_client, is_configured
from tickets.models import Submission
from zammad_client import ZammadRejected, ZammadUnavailable

logger = logging.getLogger(__name__)
CLOSED_STATES = ("closed", "merged", "removed")
POLL_BATCH = 100
# A confirmation that has not gone out this long after forwarding is enqueued again, for a day.
CONFIRMATION_GRACE = timedelta(minutes=5)
CONFIRMATION_GIVE_UP = timedelta(days=1)


@dataclass
class SweepReport:
    requeued: int = 0
    confirmations: int = 0
    polled: int = 0
    configured: bool = True

    def __str__(self) -> str:
        if not self.configured:
            return "Zammad is not configured (ZAMMAD_URL and a credential): nothing to do."
        return (f"re-queued {self.requeued} deliveries, re-sent {self.confirmations} confirmations, "
                f"refreshed {self.polled} Zammad states")


def sweep() -> SweepReport:
    """One pass of all periodic work."""
    if not is_configured():
        return SweepReport(configured=False)
    report = SweepReport(requeued=requeue_lost_deliveries(), confirmations=requeue_missing_confirmations())
    if not settings.ZAMMAD_WEBHOOK_SECRET:
        report.polled = poll_states()
    return report


def requeue_lost_deliveries(now: datetime | None = None) -> int:
    """Queued submissions that are due but have no task, and claims whose lease ran out."""
    now = now or timezone.now()
    overdue = Q(status=Submission.Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=Submission.Status.SENDING, lease_expires_at__lt=now)
    candidates = list(Submission.objects.filter(overdue | abandoned).values_list("pk", "status"))
    pending = pending_task_ids(deliver_submission.module_path, now)
    requeued = 0
    for pk, status in candidates:
        # An expired lease means the worker that held it is gone, whatever its task row says.
        if status == Submission.Status.SENDING or pk not in pending:
            deliver_submission.enqueue(pk)
            requeued += 1
    if requeued:
        logger.warning("Re-queued %d lost deliveries", requeued)
    return requeued


def requeue_missing_confirmations(now: datetime | None = None) -> int:
    now = now or timezone.now()
    missing = Submission.objects.filter(
        status=Submission.Status.FORWARDED,
        confirmation_sent_at__isnull=True,
        forwarded_at__lt=now - CONFIRMATION_GRACE,
        forwarded_at__gt=now - CONFIRMATION_GIVE_UP,
    ).values_list("pk", flat=True)
    pending = pending_task_ids(send_confirmation.module_path, now)
    ids = [pk for pk in missing if pk not in pending]
    for pk in ids:
        send_confirmation.enqueue(pk)
    return len(ids)


def pending_task_ids(task_path: str, now: datetime) -> set[int]:
    """Submission ids with a task that will still run: ready, or running on a live worker."""
    backend = deliver_submission.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return set()
    # A task "running" for longer than a lease belongs to a worker that died.
    live = Q(status="READY") | Q(status="RUNNING", started_at__gt=now - timedelta(seconds=settings.ZAMMAD_LEASE_SECONDS))
    rows = DBTaskResult.objects.filter(live, task_path=task_path, backend_name=backend.alias)
    ids: set[int] = set()
    for args_kwargs in rows.values_list("args_kwargs", flat=True):
        args = (args_kwargs or {}).get("args") or []
        if args and isinstance(args[0], int):
            ids.add(args[0])
    return ids


def poll_states(now: datetime | None = None) -> int:
    """Refresh the Zammad state of open forwarded submissions not refreshed for ZAMMAD_POLL_MINUTES."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.ZAMMAD_POLL_MINUTES)
    due = list(
        Submission.objects.filter(status=Submission.Status.FORWARDED, zammad_ticket_id__isnull=False)
        .exclude(zammad_state__in=CLOSED_STATES)
        .filter(Q(zammad_state_updated_at__isnull=True) | Q(zammad_state_updated_at__lt=stale))
        .order_by("zammad_state_updated_at")[:POLL_BATCH]
    )
    if not due:
        return 0
    client = build_client()
    refreshed = 0
    try:
        for submission in due:
            try:
                ticket = client.get_ticket(submission.zammad_ticket_id)
            except ZammadUnavailable as exc:
                logger.warning("Polling Zammad states stopped: %s", exc.message)
                break
            except ZammadRejected as exc:
                # Deleted or no longer visible: note the check so it is not repeated every minute.
                logger.warning("Cannot read Zammad ticket %s of %s: %s", submission.zammad_ticket_id,
                               submission.reference, exc.message)
                Submission.objects.filter(pk=submission.pk).update(zammad_state_updated_at=timezone.now())
                continue
            Submission.objects.filter(pk=submission.pk).update(
                zammad_state=str(ticket.state or submission.zammad_state)[:60], zammad_state_updated_at=timezone.now()
            )
            refreshed += 1
    finally:
        client.close()
    return refreshed
