"""Staff view of received mail: the raw message (downloadable) beside what was read from it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from mailin.models import InboundMessage, ReplyLog
from mailin.summary import field_label

PREVIEW_BYTES = 100_000


def raw_url(message: InboundMessage) -> str:
    return reverse("admin:mailin_inboundmessage_raw", args=[message.pk])


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "outcome", "reply_status", "submission_link", "size_shown"]
    list_filter = ["outcome", "reply_status", "truncated", "received_at"]
    search_fields = ["sender", "message_id", "subject"]
    date_hierarchy = "received_at"
    fieldsets = [
        (None, {"fields": [
            "received_at", "sender", "subject", "message_id", "size_shown", "truncated", "outcome", "note",
            "submission_link", "reply_status", "processed_at",
        ]}),
        (_("What was read"), {"fields": ["parsed_shown"]}),
        (_("Raw message"), {"fields": ["raw_download", "raw_preview"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        # The raw bytes can be megabytes; they are read only for the preview and the download.
        return super().get_queryset(request).defer("raw").select_related("submission")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        raw_view = self.admin_site.admin_view(self.raw_view)
        return [path("<int:pk>/raw/", raw_view, name="mailin_inboundmessage_raw"), *super().get_urls()]

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        message = get_object_or_404(InboundMessage, pk=pk)
        response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        return response

    @admin.display(description=_("size"))
    def size_shown(self, obj: InboundMessage) -> str:
        return filesizeformat(obj.size)

    @admin.display(description=_("submission"))
    def submission_link(self, obj: InboundMessage) -> str:
        if not obj.submission_id:
            return "—"
        url = reverse("admin:tickets_submission_change", args=[obj.submission_id])
        return format_html('<a href="{}">{}</a>', url, obj.submission.reference or obj.submission_id)

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMessage) -> str:
        return format_html('<a href="{}">{}</a>', raw_url(obj), _("Download (.eml)"))

    @admin.display(description=_("preview"))
    def raw_preview(self, obj: InboundMessage) -> str:
        raw = InboundMessage.objects.filter(pk=obj.pk).values_list("raw", flat=True).first() or b""
        text = bytes(raw[:PREVIEW_BYTES]).decode("utf-8", errors="replace")
        return format_html('<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>', text)

    @admin.display(description=_("parsed"))
    def parsed_shown(self, obj: InboundMessage) -> SafeString | str:
        parsed: dict[str, Any] = obj.parsed or {}
        if not parsed:
            return "—"
        values = format_html_join(
            "", "<tr><th>{}</th><td style='white-space: pre-wrap'>{}</td></tr>",
            ((field_label(name), value) for name, value in parsed.get("values", {}).items()),
        )
        problems = format_html_join(
            "", "<li>{}: {}</li>", ((field_label(p["field"]), p["message"]) for p in parsed.get("problems", []))
        )
        files = format_html_join(
            "", "<li>{} ({})</li>", ((f["name"], filesizeformat(f["size"])) for f in parsed.get("attachments", []))
        )
        return format_html(
            "<p>{} {}</p><table>{}</table><p>{}</p><ul>{}</ul><p>{}</p><ul>{}</ul>",
            _("Ticket type:"), parsed.get("ticket_type", "—"), values,
            _("Problems:"), problems or "—", _("Attachments:"), files or "—",
        )


class InboundMessageInline(admin.TabularInline):
    """On an email submission: the mail it came from, with its raw message."""

    model = InboundMessage
    fields = ["received_at", "sender", "message_id", "outcome", "raw_message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("received email")
    verbose_name_plural = _("received email")

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        return super().get_queryset(request).defer("raw")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("raw message"))
    def raw_message(self, obj: InboundMessage) -> str:
        change_url = reverse("admin:mailin_inboundmessage_change", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>', raw_url(obj), _("Download (.eml)"), change_url, _("Parsed")
        )


@admin.register(ReplyLog)
class ReplyLogAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "recipient", "kind", "inbound"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["recipient"]
    readonly_fields = ["sent_at", "recipient", "kind", "inbound"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
