"""Deliver submissions to Zammad exactly once: queue, claim, send, record, retry.

The submission row is the outbox. A delivery claims its row (status `sending` with a lease)
in a short transaction, talks to Zammad outside any transaction, then records the outcome
only if it still holds the claim. After an attempt whose outcome is unknown (timeout, reset,
5xx, a worker that died), the next attempt first looks the ticket up by its `portal-<ref>` tag
and adopts it instead of creating a second one (zammad-api.md §8).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from delivery.customers import forget_customer, is_remembered, resolve_customer
from delivery.mapping import build_ticket_payload, portal_tag, same_title
from delivery.models import DeliveryAttempt
from delivery.zammad import build_client, is_configured
from tickets.models import Submission
from zammad_client import Ticket, ZammadClient, ZammadError, ZammadRejected, ZammadUnavailable

logger = logging.getLogger(__name__)
EXCERPT_CHARS = 500
ClientFactory = Callable[[], ZammadClient]


def queue_delivery(submission: Submission) -> None:
    """Mark the submission queued and enqueue its delivery task in the caller's transaction."""
    from delivery.tasks import deliver_submission

    now = timezone.now()
    submission.status = Submission.Status.QUEUED
    submission.queued_at = submission.queued_at or now
    submission.next_attempt_at = now
    submission.save(update_fields=["status", "queued_at", "next_attempt_at", "updated_at"])
    deliver_submission.enqueue(submission.pk)


@dataclass
class _Progress:
    """What an attempt got to, so a failure is recorded with the right meaning."""

    stage: str = "start"
    customer_cached: bool = False
    started_at: datetime = field(default_factory=timezone.now)
    started: float = field(default_factory=time.monotonic)

    @property
    def duration_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


def deliver(submission_id: int, client_factory: ClientFactory = build_client) -> str:
    """One delivery attempt; returns what happened ("forwarded", "retry", "failed", "skipped", ...)."""
    if not is_configured():
        # Without Zammad settings nothing is sent and nothing fails: the sweep picks the
        # submission up once ZAMMAD_URL is set.
        return "not configured"
    submission = claim(submission_id)
    if submission is None:
        return "skipped"
    progress = _Progress()
    try:
        ticket, adopted = _send(submission, client_factory, progress)
    except ZammadError as exc:
        return _record_failure(submission, progress, exc)
    except Exception as exc:  # a bug or a lost attachment file: staff must see it, not a silent retry loop
        logger.exception("Delivery of %s failed unexpectedly", submission.reference)
        error = ZammadError(f"Internal error before or while talking to Zammad: {type(exc).__name__}: {exc}")
        return _record_failure(submission, progress, error)
    return _record_success(submission, progress, ticket, adopted)


def claim(submission_id: int) -> Submission | None:
    """Take the row for this worker: due and queued, or `sending` with an expired lease.

    skip_locked makes a second worker pass over a row another one is claiming instead of waiting.
    """
    now = timezone.now()
    due = Q(status=Submission.Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=Submission.Status.SENDING, lease_expires_at__lt=now)
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(skip_locked=True).filter(due | abandoned, pk=submission_id).first()
        )
        if submission is None:
            return None
        if submission.status == Submission.Status.SENDING:
            # A worker died or hung mid-delivery: it may have created the ticket already.
            submission.outcome_unknown = True
        submission.status = Submission.Status.SENDING
        submission.lease_expires_at = now + timedelta(seconds=settings.ZAMMAD_LEASE_SECONDS)
        submission.delivery_attempts += 1
        submission.save(update_fields=["status", "lease_expires_at", "delivery_attempts", "outcome_unknown", "updated_at"])
    return submission


def _send(submission: Submission, client_factory: ClientFactory, progress: _Progress) -> tuple[Ticket, bool]:
    client = client_factory()
    try:
        if submission.outcome_unknown:
            progress.stage = "lookup"
            found = client.find_ticket_by_tag(portal_tag(submission))
            # The title guards against a stale tag, e.g. a test portal whose references started over.
            if found is not None and same_title(found.title, submission):
                return found, True
        progress.stage = "customer"
        progress.customer_cached = is_remembered(submission.submitter.email)
        customer = resolve_customer(client, submission.submitter)
        payload = build_ticket_payload(submission, customer)
        on_behalf_of = submission.submitter.email if settings.ZAMMAD_ACT_AS_CUSTOMER else None
        progress.stage = "create"
        return client.create_ticket(payload, on_behalf_of=on_behalf_of), False
    finally:
        client.close()


def _still_ours(submission: Submission) -> Q:
    # A slower worker whose lease was taken over must not overwrite the new owner's outcome.
    return Q(pk=submission.pk, status=Submission.Status.SENDING, delivery_attempts=submission.delivery_attempts)


def _record_success(submission: Submission, progress: _Progress, ticket: Ticket, adopted: bool) -> str:
    from delivery.tasks import send_confirmation

    now = timezone.now()
    with transaction.atomic():
        owned = Submission.objects.filter(_still_ours(submission)).update(
            status=Submission.Status.FORWARDED, forwarded_at=now, zammad_ticket_id=ticket.id,
            zammad_ticket_number=ticket.number, zammad_state=_state_name(ticket), zammad_state_updated_at=now,
            lease_expires_at=None, next_attempt_at=None, outcome_unknown=False, last_error="", updated_at=now,
        )
        DeliveryAttempt.objects.create(
            submission=submission, started_at=progress.started_at, duration_ms=progress.duration_ms,
            outcome=DeliveryAttempt.Outcome.ADOPTED if adopted else DeliveryAttempt.Outcome.CREATED,
            http_status=200 if adopted else 201,
            error="" if owned else "Another worker took this delivery over; it will adopt this ticket.",
            response_excerpt=json.dumps(ticket.raw, default=str)[:EXCERPT_CHARS],
        )
        if owned:
            send_confirmation.enqueue(submission.pk)
    logger.info("Submission %s is Zammad ticket #%s (%s)", submission.reference, ticket.number,
                "adopted" if adopted else "created")
    return "forwarded"


def _state_name(ticket: Ticket) -> str:
    # With expand=true Zammad names the state; a bare id is still better than nothing.
    return str(ticket.state or "")[:60]


def _record_failure(submission: Submission, progress: _Progress, exc: ZammadError) -> str:
    from delivery.tasks import deliver_submission

    now = timezone.now()
    # Only a create can leave a ticket behind; an unclear lookup changes nothing in Zammad.
    outcome_unknown = submission.outcome_unknown or (exc.ambiguous and progress.stage == "create")
    if isinstance(exc, ZammadRejected) and "customer" in exc.message.lower() and progress.customer_cached:
        # The Zammad user we remembered is gone (deleted or merged): look it up afresh, at once.
        forget_customer(submission.submitter.email)
        exc = ZammadUnavailable(f"{exc.message} (the remembered Zammad user was forgotten; trying again)",
                                status=exc.status, ambiguous=False, body_excerpt=exc.body_excerpt, retry_after=0)
    give_up = not exc.retryable or _past_horizon(submission, now, progress.started_at)
    next_attempt = None if give_up else now + _retry_delay(submission.delivery_attempts, exc)
    message = exc.message if not (exc.retryable and give_up) else _horizon_message(submission, exc)
    with transaction.atomic():
        owned = Submission.objects.filter(_still_ours(submission)).update(
            status=Submission.Status.FAILED if give_up else Submission.Status.QUEUED,
            next_attempt_at=next_attempt, lease_expires_at=None, outcome_unknown=outcome_unknown,
            last_error=message, updated_at=now,
        )
        DeliveryAttempt.objects.create(
            submission=submission, started_at=progress.started_at, duration_ms=progress.duration_ms,
            outcome=DeliveryAttempt.Outcome.FAILED if give_up else DeliveryAttempt.Outcome.RETRY,
            http_status=exc.status, error=message, response_excerpt=exc.body_excerpt[:EXCERPT_CHARS],
        )
        if owned and next_attempt is not None:
            deliver_submission.using(run_after=next_attempt).enqueue(submission.pk)
    log = logger.error if give_up else logger.warning
    log("Delivery of %s %s: %s", submission.reference, "failed" if give_up else "will be retried", message)
    return "failed" if give_up else "retry"


def _past_horizon(submission: Submission, now: datetime, this_attempt: datetime) -> bool:
    # The horizon runs from the first real attempt since queueing: days spent waiting for
    # ZAMMAD_URL to be configured do not count against it.
    queued = submission.queued_at or submission.created_at
    first_try = (
        DeliveryAttempt.objects.filter(submission=submission, started_at__gte=queued)
        .order_by("started_at").values_list("started_at", flat=True).first()
    )
    return now - (first_try or this_attempt) >= timedelta(hours=settings.ZAMMAD_RETRY_HORIZON_HOURS)


def _horizon_message(submission: Submission, exc: ZammadError) -> str:
    return (
        f"Gave up after {submission.delivery_attempts} attempts over "
        f"{settings.ZAMMAD_RETRY_HORIZON_HOURS:g} hours; last error: {exc.message}"
    )


def _retry_delay(attempt: int, exc: ZammadError) -> timedelta:
    """Exponential backoff with jitter; Zammad's own Retry-After wins when it sent one."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        return timedelta(seconds=min(float(retry_after), settings.ZAMMAD_BACKOFF_MAX_SECONDS))
    ceiling = min(settings.ZAMMAD_BACKOFF_MAX_SECONDS, settings.ZAMMAD_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    # Half fixed, half random: spreads a burst of retries after an outage without starving any.
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def retry(submission: Submission) -> bool:
    """Staff asked to try again: failed or waiting submissions go out now, with a fresh horizon."""
    from delivery.tasks import deliver_submission

    with transaction.atomic():
        locked = Submission.objects.select_for_update().filter(
            pk=submission.pk, status__in=[Submission.Status.FAILED, Submission.Status.QUEUED]
        ).first()
        if locked is None:
            return False
        now = timezone.now()
        locked.status = Submission.Status.QUEUED
        locked.queued_at = now
        locked.next_attempt_at = now
        locked.save(update_fields=["status", "queued_at", "next_attempt_at", "updated_at"])
        deliver_submission.enqueue(locked.pk)
    return True


def forward_anyway(submission: Submission) -> bool:
    """Staff decided an incomplete submission ("needs information") goes to Zammad as it is."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().filter(
            pk=submission.pk, status=Submission.Status.NEEDS_INFO
        ).first()
        if locked is None:
            return False
        queue_delivery(locked)
    return True
