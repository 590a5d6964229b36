"""Admin pieces for delivery: the attempt log, why a delivery failed, and the staff actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from delivery import services
from delivery.models import DeliveryAttempt, WebhookDelivery, ZammadCustomer


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are evidence: staff read them, nobody edits them."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["started_at", "duration_ms", "outcome", "http_status", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-started_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "submission_reference", "outcome", "http_status", "duration_ms", "short_error"]
    list_filter = ["outcome", "http_status", "started_at"]
    search_fields = ["submission__reference", "error"]
    list_select_related = ["submission"]
    date_hierarchy = "started_at"
    fields = ["submission", "started_at", "duration_ms", "outcome", "http_status", "error", "response_excerpt"]

    @admin.display(description=_("submission"), ordering="submission__reference")
    def submission_reference(self, obj: DeliveryAttempt) -> str:
        return obj.submission.reference or "—"

    @admin.display(description=_("error"))
    def short_error(self, obj: DeliveryAttempt) -> str:
        return Truncator(obj.error).chars(120) or "—"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["delivery_id", "zammad_ticket_id", "received_at"]
    search_fields = ["delivery_id"]


@admin.register(ZammadCustomer)
class ZammadCustomerAdmin(admin.ModelAdmin):
    """Deleting a row makes the next delivery look the customer up in Zammad again."""

    list_display = ["email", "zammad_user_id", "updated_at"]
    search_fields = ["email"]
    readonly_fields = ["email", "zammad_user_id", "updated_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SubmissionDeliveryMixin:
    """Delivery columns and actions for the submission admin (mixed into SubmissionAdmin)."""

    actions = ["retry_delivery", "forward_anyway"]

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = list(super().get_list_display(request))  # type: ignore[misc]
        return columns if "delivery_problem" in columns else [*columns, "delivery_problem"]

    @admin.display(description=_("Zammad ticket"))
    def zammad_link(self, obj: object) -> str:
        number = getattr(obj, "zammad_ticket_number", "")
        ticket_id = getattr(obj, "zammad_ticket_id", None)
        if not ticket_id:
            return "—"
        if settings.ZAMMAD_URL:
            return format_html('<a href="{}/#ticket/zoom/{}" target="_blank" rel="noopener">#{}</a>', settings.ZAMMAD_URL, ticket_id, number)
        return f"#{number}"

    @admin.display(description=_("why delivery failed"))
    def delivery_problem(self, obj: Any) -> str:
        if obj.status not in ("failed", "queued") or not obj.last_error:
            return "—"
        return Truncator(obj.last_error).chars(160)

    @admin.action(description=_("Retry delivery to Zammad (failed or queued submissions)"))
    def retry_delivery(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = sum(services.retry(submission) for submission in queryset)
        self._report(request, done, queryset.count(), ngettext(
            "%(count)d submission queued for delivery again.",
            "%(count)d submissions queued for delivery again.", done,
        ), _("%(count)d skipped: only failed or queued submissions can be retried."))

    @admin.action(description=_("Forward to Zammad anyway (submissions that need information)"))
    def forward_anyway(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = sum(services.forward_anyway(submission) for submission in queryset)
        self._report(request, done, queryset.count(), ngettext(
            "%(count)d submission queued for delivery as it is.",
            "%(count)d submissions queued for delivery as they are.", done,
        ), _("%(count)d skipped: only submissions that need information can be forwarded anyway."))

    def _report(self, request: HttpRequest, done: int, selected: int, done_text: str, skipped_text: str) -> None:
        if done:
            self.message_user(request, done_text % {"count": done}, messages.SUCCESS)  # type: ignore[attr-defined]
        if selected - done:
            self.message_user(request, str(skipped_text) % {"count": selected - done}, messages.WARNING)  # type: ignore[attr-defined]
