"""Ticket types, platforms and the submissions customers make through every channel."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, ProductGroup
from tickets.catalogue import (
    END_USER_IMPACT_CHOICES,
    ENVIRONMENT_CHOICES,
    POLICY_FIELDS,
    SEVERITY_CHOICES,
    Policy,
)

if TYPE_CHECKING:
    from accounts.models import User


class Platform(models.Model):
    """An entry of the staff-editable Platform list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name


class TicketTypeQuerySet(models.QuerySet["TicketType"]):
    def offered_to(self, user: User) -> TicketTypeQuerySet:
        """Types a customer may open: their organisation's product groups, plus the universal ones."""
        offered = Q(offered_to_all=True)
        if user.organisation_id:
            offered |= Q(product_groups__organisation=user.organisation_id)
        return self.filter(offered, is_active=True).distinct().order_by("position", "name")


class TicketType(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description for customers"))
    product_groups = models.ManyToManyField(
        ProductGroup, blank=True, related_name="ticket_types", verbose_name=_("offered to product groups")
    )
    offered_to_all = models.BooleanField(
        _("offered to every registered account"), default=False
    )
    field_policy = models.JSONField(
        _("field policy"),
        default=dict,
        help_text=_("For each template field: required, optional or hidden. Missing fields are hidden."),
    )
    license_key_must_match_organisation = models.BooleanField(
        _("license key must belong to the customer's organisation"),
        default=True,
        help_text=_("Off for requests that link an account to an organisation, where support checks the key."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TicketTypeQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")

    def __str__(self) -> str:
        return self.name

    def policy(self, field_name: str) -> Policy:
        if field_name not in POLICY_FIELDS:
            return Policy.REQUIRED
        try:
            return Policy(self.field_policy.get(field_name, Policy.HIDDEN))
        except ValueError:
            return Policy.HIDDEN

    def visible_fields(self) -> list[str]:
        return [name for name in POLICY_FIELDS if self.policy(name) != Policy.HIDDEN]


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: User) -> SubmissionQuerySet:
        """A member sees the organisation's submissions; a user without one sees their own."""
        if not user.is_authenticated:
            return self.none()
        if user.organisation_id:
            return self.filter(Q(organisation=user.organisation_id) | Q(submitter=user))
        return self.filter(submitter=user)


class Submission(models.Model):
    """One ticket as the customer sent it; the row is also the outbox for its delivery to Zammad."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("Email")
        API = "api", _("API")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        NEEDS_INFO = "needs_info", _("Needs information")
        QUEUED = "queued", _("Queued for delivery")
        SENDING = "sending", _("Being delivered")
        FORWARDED = "forwarded", _("Forwarded to support")
        FAILED = "failed", _("Delivery failed")

    # NULL until the row has its primary key, from which the reference is made (see services).
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, verbose_name=_("ticket type"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("organisation")
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("submitter")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)

    subject = models.CharField(_("Subject"), max_length=200)
    license_key = models.CharField(_("License Key"), max_length=64, blank=True)
    organisation_name = models.CharField(_("Organisation"), max_length=200, blank=True)
    server = models.CharField(_("Server"), max_length=500, blank=True)
    server_version = models.TextField(_("Server Version"), blank=True)
    platform = models.CharField(_("Platform"), max_length=100, blank=True)
    environment = models.CharField(_("Environment"), max_length=20, choices=ENVIRONMENT_CHOICES, blank=True)
    gui_version = models.TextField(_("GUI Version"), blank=True)
    severity = models.PositiveSmallIntegerField(_("Severity"), choices=SEVERITY_CHOICES, null=True, blank=True)
    severity_1_confirmed = models.BooleanField(_("Severity 1 confirmed"), default=False)
    end_user_impact = models.CharField(_("End-User-Impact"), max_length=20, choices=END_USER_IMPACT_CHOICES, blank=True)
    track_id = models.CharField(_("Track-ID"), max_length=100, blank=True)
    recent_changes = models.TextField(_("Recent changes"), blank=True)
    description = models.TextField(_("Issue Description"), blank=True)
    steps_to_reproduce = models.TextField(_("Steps to reproduce"), blank=True)
    client = models.CharField(_("Used OS/Browser/Client"), max_length=500, blank=True)
    tested_at = models.DateTimeField(_("Date/time of test"), null=True, blank=True)
    # The zone the customer gave (an IANA name or a UTC offset), so the time is shown as they wrote it.
    tested_at_tz = models.CharField(_("time zone of test"), max_length=64, blank=True)
    current_behaviour = models.TextField(_("Current behaviour"), blank=True)
    expected_behaviour = models.TextField(_("Expected behaviour"), blank=True)
    test_account = models.CharField(_("Test account"), max_length=500, blank=True)

    # Problems found in a submission that was kept anyway (an email missing fields, a Severity 1
    # mail forwarded at once); each item is {"field", "code", "message"}.
    problems = models.JSONField(_("missing or invalid information"), default=list, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Delivery to Zammad (see delivery.services).
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    delivery_attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when an attempt may have reached Zammad without us learning the outcome; the next
    # attempt looks the ticket up before creating it again.
    outcome_unknown = models.BooleanField(default=False, editable=False)
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    last_error = models.TextField(_("last delivery error"), blank=True)
    zammad_ticket_id = models.PositiveBigIntegerField(_("Zammad ticket id"), null=True, blank=True)
    zammad_ticket_number = models.CharField(_("Zammad ticket number"), max_length=40, blank=True)
    zammad_state = models.CharField(_("Zammad state"), max_length=60, blank=True)
    zammad_state_updated_at = models.DateTimeField(_("Zammad state updated"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="submission_due_idx"),
            models.Index(fields=["organisation", "-created_at"], name="submission_org_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitter", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="submission_idempotency_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference or 'new'} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.reference])

    @property
    def is_open_in_zammad(self) -> bool:
        return bool(self.zammad_ticket_id) and self.zammad_state.lower() not in {"closed", "merged", "removed"}


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the customer's file name never touches the file system.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("tickets:attachment", args=[self.submission.reference, self.pk])
