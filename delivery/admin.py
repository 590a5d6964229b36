"""Admin pieces for delivery: the attempt log shown inside a submission, and staff actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from delivery.models import DeliveryAttempt


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["started_at", "duration_ms", "outcome", "http_status", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-started_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SubmissionDeliveryMixin:
    """Delivery columns and actions for the submission admin."""

    @admin.display(description=_("Zammad ticket"))
    def zammad_link(self, obj: object) -> str:
        number = getattr(obj, "zammad_ticket_number", "")
        ticket_id = getattr(obj, "zammad_ticket_id", None)
        if not ticket_id:
            return "—"
        if settings.ZAMMAD_URL:
            return format_html('<a href="{}/#ticket/zoom/{}" target="_blank" rel="noopener">#{}</a>', settings.ZAMMAD_URL, ticket_id, number)
        return f"#{number}"
