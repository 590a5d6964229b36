"""The log of every attempt to deliver a submission to Zammad, and of webhook calls received."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Submission


class DeliveryAttempt(models.Model):
    """One call (or lookup) made to Zammad for a submission, kept for staff to read."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Ticket created")
        ADOPTED = "adopted", _("Existing ticket adopted")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", _("Failed permanently")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="delivery_attempts_log")
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.outcome} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class WebhookDelivery(models.Model):
    """A Zammad webhook call already processed; Zammad redelivers with the same X-Zammad-Delivery id."""

    delivery_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    zammad_ticket_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return self.delivery_id


class ZammadCustomer(models.Model):
    """The Zammad user of a customer email, looked up or created once.

    Zammad's own find-or-create (`guess:`) is not race-safe (zammad-api.md §8), so a delivery
    first claims this row; a second delivery for the same new customer waits until the first
    one has stored the Zammad user id.
    """

    email = models.CharField(_("email address"), max_length=254, unique=True)
    zammad_user_id = models.PositiveBigIntegerField(_("Zammad user id"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("Zammad customer")
        verbose_name_plural = _("Zammad customers")

    def __str__(self) -> str:
        return f"{self.email} → {self.zammad_user_id or '?'}"
