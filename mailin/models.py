"""Every message the mail channel received, kept as sent, and the replies it sent back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Submission


class InboundMessage(models.Model):
    """One received mail: the raw bytes are stored first, then what became of them."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Stored, not processed yet")
        ACCEPTED = "accepted", _("Submission created")
        NEEDS_INFO = "needs_info", _("Incomplete, sender asked for more")
        UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
        IGNORED_AUTO = "ignored_auto", _("Automatic mail, ignored")
        # Reported for a second copy of a stored Message-ID; that copy is not stored again.
        DUPLICATE = "duplicate", _("Duplicate")
        REJECTED = "rejected", _("Rejected")
        ERROR = "error", _("Processing failed")

    class ReplyStatus(models.TextChoices):
        NONE = "", _("No reply")
        SENT = "sent", _("Reply sent")
        SUPPRESSED = "suppressed", _("Not answered (automatic or list mail)")
        RATE_LIMITED = "rate_limited", _("Not answered (reply limit reached)")
        FAILED = "failed", _("Reply could not be sent")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # At most MAILIN_MAX_MESSAGE_BYTES; a larger message keeps only its beginning (truncated).
    raw = models.BinaryField(_("raw message"))
    truncated = models.BooleanField(_("truncated"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    submission = models.ForeignKey(
        Submission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("submission"),
    )
    # What the parser understood: field values, attachments, problems found, ticket type.
    parsed = models.JSONField(_("parsed"), default=dict, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    reply_status = models.CharField(
        _("reply"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.NONE, blank=True
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject or self.message_id}"


class ReplyLog(models.Model):
    """One automatic reply sent, counted to cap replies per recipient (two auto-responders cannot loop)."""

    recipient = models.CharField(_("recipient"), max_length=254)
    kind = models.CharField(_("kind"), max_length=30)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("automatic reply")
        verbose_name_plural = _("automatic replies")
        indexes = [models.Index(fields=["recipient", "sent_at"], name="mailin_reply_recipient_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"
