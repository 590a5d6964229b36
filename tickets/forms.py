"""The web form for a ticket type. It only presents fields; the rules live in tickets.validation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets.attachments import IncomingFile, limits_text
from tickets.catalogue import (
    END_USER_IMPACT_CHOICES,
    ENVIRONMENT_CHOICES,
    FIELDS,
    SEVERITY_DEFINITIONS,
    Kind,
    Policy,
    TemplateField,
)
from tickets.models import Platform, TicketType
from tickets.timeparse import common_zones
from tickets.validation import SEVERITY_1_CONFIRMATION, ValidationResult, validate_submission

if TYPE_CHECKING:
    from accounts.models import User


class CoreCheckedMixin:
    """Leave required/choice/length checks to the validation core, so every channel words them alike."""

    def validate(self, value: Any) -> None:
        return None


class CoreCharField(CoreCheckedMixin, forms.CharField):
    pass


class CoreChoiceField(CoreCheckedMixin, forms.ChoiceField):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [f for f in files if f]


# The form's sections, most urgent first: under outage pressure, severity and impact come
# before the details. A short form (few fields) is shown without sections.
SECTIONS: tuple[tuple[Promise, tuple[str, ...]], ...] = (
    (_("What is wrong and how urgent is it?"), (
        "subject", "severity", SEVERITY_1_CONFIRMATION, "environment", "end_user_impact",
    )),
    (_("Affected system"), (
        "license_key", "organisation_name", "server", "server_version", "gui_version", "platform",
    )),
    (_("What happens"), (
        "description", "steps_to_reproduce", "current_behaviour", "expected_behaviour", "tested_at",
        "tested_at_tz", "client", "test_account",
    )),
    (_("Context"), ("recent_changes", "track_id", "attachments")),
)
SECTIONED_FORM_MIN_FIELDS = 7


class SubmissionForm(forms.Form):
    use_required_attribute = False

    def __init__(self, *args: Any, ticket_type: TicketType, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket_type = ticket_type
        self.user = user
        self.result: ValidationResult | None = None
        for template_field in FIELDS:
            policy = ticket_type.policy(template_field.name)
            if policy == Policy.HIDDEN:
                continue
            self.fields[template_field.name] = self._build_field(template_field, policy)
            if template_field.name == "tested_at":
                self.fields["tested_at_tz"] = CoreChoiceField(
                    label=_("Time zone of test"),
                    choices=[(zone, zone) for zone in ["UTC", *common_zones()]],
                    initial=settings.TIME_ZONE,
                    help_text=_("The time zone of the date/time above."),
                )
            if template_field.name == "severity":
                self.fields[SEVERITY_1_CONFIRMATION] = forms.BooleanField(
                    required=False,
                    label=_("I confirm this is a complete outage of a primary service or a concrete security threat."),
                    help_text=_("Required for Severity 1 only."),
                )
        self._arrange_in_sections()

    def _arrange_in_sections(self) -> None:
        """Order the fields (and so the error summary) by section, and lay the sections out."""
        order = [name for _legend, names in SECTIONS for name in names if name in self.fields]
        self.fields = {name: self.fields[name] for name in order + [n for n in self.fields if n not in order]}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if len(self.fields) < SECTIONED_FORM_MIN_FIELDS:
            return
        self.helper.layout = Layout(*[
            Fieldset(legend, *present, css_class="form-section")
            for legend, names in SECTIONS
            if (present := [name for name in names if name in self.fields])
        ])

    def _build_field(self, template_field: TemplateField, policy: Policy) -> forms.Field:
        options: dict[str, Any] = {
            "label": template_field.label,
            "help_text": template_field.help_text,
            "required": False,
        }
        kind = template_field.kind
        if kind == Kind.FILES:
            options["help_text"] = format_html("{} {}", template_field.help_text, limits_text())
            return MultipleFileField(**options)
        field: forms.Field
        if kind == Kind.CHOICE:
            field = CoreChoiceField(choices=[("", "—"), *self._choices(template_field.name)], **options)
        elif kind == Kind.INTEGER_CHOICE:
            field = CoreChoiceField(
                choices=[(str(level), format_html('<strong>{}</strong><span class="d-block small text-body-secondary">{}</span>', title, definition))
                         for level, (title, definition) in SEVERITY_DEFINITIONS.items()],
                widget=forms.RadioSelect,
                **options,
            )
        elif kind == Kind.DATETIME:
            field = CoreCharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **options)
        elif kind == Kind.LONGTEXT:
            field = CoreCharField(widget=forms.Textarea(attrs={"rows": 4}), **options)
        else:
            attrs = {"inputmode": "url", "placeholder": "https://"} if kind == Kind.URL else {}
            if template_field.max_length:
                attrs["maxlength"] = str(template_field.max_length)
            field = CoreCharField(widget=forms.TextInput(attrs=attrs), **options)
        # Shown as required (asterisk, aria-required); enforced by the validation core.
        field.required = policy == Policy.REQUIRED
        if field.required:
            field.widget.attrs["aria-required"] = "true"
        return field

    @staticmethod
    def _choices(name: str) -> list[tuple[str, Any]]:
        if name == "platform":
            return [(p, p) for p in Platform.objects.filter(is_active=True).values_list("name", flat=True)]
        if name == "environment":
            return list(ENVIRONMENT_CHOICES)
        return list(END_USER_IMPACT_CHOICES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = dict(cleaned)
        if cleaned.get("tested_at"):
            values["tested_at"] = f"{cleaned['tested_at']} {cleaned.get('tested_at_tz') or ''}".strip()
        uploads = cleaned.get("attachments") or []
        files = [IncomingFile(name=upload.name or "attachment", content=upload.read()) for upload in uploads]
        self.result = validate_submission(ticket_type=self.ticket_type, user=self.user, values=values, files=files)
        for problem in self.result.problems:
            target = problem.field if problem.field in self.fields else None
            self.add_error(target, forms.ValidationError(problem.message, code=problem.code))
            if target and isinstance(self.fields[target].widget, forms.RadioSelect):
                # Django marks single inputs invalid itself; each radio of a group needs it set here.
                self.fields[target].widget.attrs["aria-invalid"] = "true"
        return cleaned
