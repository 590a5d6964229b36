"""What the API returns for ticket types and submissions (plain dicts, shaped by api.schemas)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tickets.attachments import limits_text
from tickets.catalogue import (
    END_USER_IMPACT_CHOICES,
    ENVIRONMENT_CHOICES,
    FIELDS,
    SEVERITY_DEFINITIONS,
    TEXT_FIELDS,
    Kind,
    Policy,
    TemplateField,
)
from tickets.models import Platform, Submission, TicketType
from tickets.timeparse import zone_for_label
from tickets.validation import SEVERITY_1_CONFIRMATION


def ticket_type_data(ticket_type: TicketType, platforms: list[str]) -> dict[str, Any]:
    fields = []
    for template_field in FIELDS:
        policy = ticket_type.policy(template_field.name)
        fields.append(_field_data(template_field, policy, platforms))
        if template_field.name == "severity":
            fields.append(_severity_confirmation(policy))
    return {"slug": ticket_type.slug, "name": ticket_type.name, "description": ticket_type.description, "fields": fields}


def active_platforms() -> list[str]:
    return list(Platform.objects.filter(is_active=True).values_list("name", flat=True))


def _field_data(template_field: TemplateField, policy: Policy, platforms: list[str]) -> dict[str, Any]:
    help_text = str(template_field.help_text)
    if template_field.kind == Kind.FILES:
        help_text = f"{help_text} {limits_text()}"
    return {
        "name": template_field.name,
        "label": str(template_field.label),
        "kind": str(template_field.kind),
        "policy": str(policy),
        "help_text": help_text,
        "max_length": template_field.max_length or None,
        "choices": _choices(template_field.name, platforms),
    }


def _severity_confirmation(severity_policy: Policy) -> dict[str, Any]:
    return {
        "name": SEVERITY_1_CONFIRMATION,
        "label": _("I confirm this is a complete outage of a primary service or a concrete security threat."),
        "kind": "boolean",
        "policy": str(Policy.OPTIONAL if severity_policy != Policy.HIDDEN else Policy.HIDDEN),
        "help_text": _("Required for Severity 1 only."),
        "max_length": None,
        "choices": None,
    }


def _choices(name: str, platforms: list[str]) -> list[dict[str, Any]] | None:
    if name == "severity":
        return [{"value": level, "label": str(title), "definition": str(definition)}
                for level, (title, definition) in SEVERITY_DEFINITIONS.items()]
    if name == "environment":
        return [{"value": value, "label": str(label)} for value, label in ENVIRONMENT_CHOICES]
    if name == "end_user_impact":
        return [{"value": value, "label": str(label)} for value, label in END_USER_IMPACT_CHOICES]
    if name == "platform":
        return [{"value": platform, "label": platform} for platform in platforms]
    return None


def submission_data(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    reference = submission.reference or ""
    return {
        "reference": reference,
        "url": request.build_absolute_uri(reverse("api_v1:submission_detail", args=[reference])),
        "web_url": request.build_absolute_uri(submission.get_absolute_url()),
        "ticket_type": submission.ticket_type.slug,
        "ticket_type_name": submission.ticket_type.name,
        "subject": submission.subject,
        "severity": submission.severity,
        "channel": submission.channel,
        "status": submission.status,
        "status_label": str(submission.get_status_display()),
        "submitter": submission.submitter.email,
        "created_at": submission.created_at,
        "updated_at": submission.updated_at,
        "forwarded_at": submission.forwarded_at,
        "zammad_ticket_number": submission.zammad_ticket_number or None,
        "zammad_state": submission.zammad_state or None,
    }


def submission_detail_data(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    tested_at = submission.tested_at
    if tested_at is not None:
        # As the customer gave it, not in the server's zone.
        tested_at = tested_at.astimezone(zone_for_label(submission.tested_at_tz))
    return {
        **submission_data(request, submission),
        "tested_at": tested_at,
        "severity_1_confirmed": submission.severity_1_confirmed,
        "fields": {name: getattr(submission, name) for name in TEXT_FIELDS if getattr(submission, name)},
        "problems": [{"field": p.get("field") or None, "code": p.get("code", ""), "message": p.get("message", "")}
                     for p in submission.problems or []],
        "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size}
                        for a in submission.attachments.all()],
    }
