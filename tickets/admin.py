from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from delivery.admin import DeliveryAttemptInline, SubmissionDeliveryMixin
from mailin.admin import InboundMessageInline
from tickets.catalogue import FIELDS_BY_NAME, POLICY_FIELDS, Policy
from tickets.models import Attachment, Platform, Submission, TicketType


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]


POLICY_LABELS = {Policy.REQUIRED: _("Required"), Policy.OPTIONAL: _("Optional"), Policy.HIDDEN: _("Hidden")}


class TicketTypeForm(forms.ModelForm):
    """Edits the field policy as one select per template field instead of raw JSON."""

    class Meta:
        model = TicketType
        fields = [
            "name", "slug", "description", "position", "is_active",
            "offered_to_all", "product_groups", "license_key_must_match_organisation",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in POLICY_FIELDS:
            self.fields[f"policy_{name}"] = forms.ChoiceField(
                label=FIELDS_BY_NAME[name].label,
                choices=[(p.value, POLICY_LABELS[p]) for p in Policy],
                initial=self.instance.policy(name) if self.instance.pk else Policy.OPTIONAL,
            )

    def save(self, commit: bool = True) -> TicketType:
        self.instance.field_policy = {name: self.cleaned_data[f"policy_{name}"] for name in POLICY_FIELDS}
        return super().save(commit)


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    form = TicketTypeForm
    list_display = ["name", "slug", "offered_to_all", "groups", "is_active", "position"]
    list_filter = ["is_active", "offered_to_all", "product_groups"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["product_groups"]

    def get_fieldsets(self, request: HttpRequest, obj: TicketType | None = None) -> Any:
        return [
            (None, {"fields": ["name", "slug", "description", "position", "is_active"]}),
            (_("Who may use it"), {"fields": ["offered_to_all", "product_groups", "license_key_must_match_organisation"]}),
            (_("Field policy"), {"fields": [f"policy_{name}" for name in POLICY_FIELDS]}),
        ]

    def get_form(self, request: HttpRequest, obj: TicketType | None = None, change: bool = False, **kwargs: Any) -> Any:
        # The policy_* fields are added in TicketTypeForm.__init__, so modelform_factory must not
        # look them up on the model; the form's Meta decides the model fields.
        kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketType]:
        return super().get_queryset(request).prefetch_related("product_groups")

    @admin.display(description=_("product groups"))
    def groups(self, obj: TicketType) -> str:
        return ", ".join(group.name for group in obj.product_groups.all())


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["download", "content_type", "size", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("file"))
    def download(self, obj: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.filename)


@admin.register(Submission)
class SubmissionAdmin(SubmissionDeliveryMixin, admin.ModelAdmin):
    list_display = [
        "reference", "created_at", "submitter", "organisation", "ticket_type", "severity",
        "environment", "channel", "status", "zammad_link",
    ]
    list_filter = ["status", "channel", "ticket_type", "severity", "environment", "organisation", "created_at"]
    search_fields = ["reference", "submitter__email", "license_key", "subject", "zammad_ticket_number"]
    list_select_related = ["submitter", "organisation", "ticket_type"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline, DeliveryAttemptInline, InboundMessageInline]
    fieldsets = [
        (None, {"fields": ["reference", "status", "ticket_type", "channel", "submitter", "organisation", "created_at"]}),
        (_("Ticket"), {"fields": [
            "subject", "license_key", "organisation_name", "server", "server_version", "platform", "environment",
            "gui_version", "severity", "severity_1_confirmed", "end_user_impact", "track_id", "recent_changes",
            "description", "steps_to_reproduce", "client", "tested_at_local", "current_behaviour",
            "expected_behaviour", "test_account", "problems",
        ]}),
        (_("Zammad"), {"fields": [
            "zammad_link", "zammad_state", "zammad_state_updated_at", "queued_at", "delivery_attempts",
            "next_attempt_at", "forwarded_at", "last_error", "confirmation_sent_at",
        ]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Submission | None = None) -> list[str]:
        # Staff read what the customer sent; they never edit it behind the customer's back.
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Submission | None = None) -> bool:
        # View-only: no Save buttons on a record that is the customer's own words. Delivery
        # actions (retry, forward anyway) are list actions with their own checks.
        return False

    @admin.display(description=_("Date/time of test"))
    def tested_at_local(self, obj: Submission) -> str:
        from tickets.timeparse import zone_for_label

        if not obj.tested_at:
            return "—"
        return f"{obj.tested_at.astimezone(zone_for_label(obj.tested_at_tz)):%Y-%m-%d %H:%M} ({obj.tested_at_tz})"
