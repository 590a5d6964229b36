"""What the mail channel understood: the parse summary for staff and the pre-filled template for the sender."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from mailin.parser import Envelope, ParsedBody
from tickets.attachments import limits_text
from tickets.catalogue import FIELDS_BY_NAME
from tickets.models import Submission, TicketType
from tickets.validation import SEVERITY_1_CONFIRMATION, ValidationResult

MAX_SUMMARY_VALUE = 20000
SEVERITY_1_LABEL = "Severity 1 confirmed"


def summarise(
    ticket_type: TicketType, values: dict[str, object], body: ParsedBody, result: ValidationResult, envelope: Envelope
) -> dict[str, Any]:
    return {
        "ticket_type": ticket_type.slug,
        "values": {name: str(value)[:MAX_SUMMARY_VALUE] for name, value in values.items() if value},
        "attachments": [{"name": f.name, "size": len(f.content)} for f in body.attachments],
        "problems": [problem.as_dict() for problem in result.problems],
        "defects": body.defects,
        "no_reply": envelope.no_reply,
    }


def field_label(name: str) -> str:
    if name == SEVERITY_1_CONFIRMATION:
        return _("Severity 1 confirmation")
    if name in FIELDS_BY_NAME:
        return str(FIELDS_BY_NAME[name].label)
    return name


def needs_info_context(
    ticket_type: TicketType,
    values: dict[str, object],
    result: ValidationResult,
    submission: Submission,
    form_url: str,
    forwarded: bool,
) -> dict[str, Any]:
    return {
        "submission": submission,
        "ticket_type": ticket_type,
        "problems": [(field_label(p.field), p.message) for p in result.problems],
        "template": prefilled_template(ticket_type, values, result),
        "form_url": form_url,
        "forwarded": forwarded,
        "attachment_limits": limits_text() if result.has_problem("attachments") else "",
    }


def prefilled_template(ticket_type: TicketType, values: dict[str, object], result: ValidationResult) -> str:
    """The mail template with what was read, labelled in English so the parser reads it back."""
    lines: list[str] = []
    with translation.override("en"):
        for name in ticket_type.visible_fields():
            if name == "attachments":
                continue
            label = str(FIELDS_BY_NAME[name].label)
            value = str(values.get(name) or "").strip()
            lines.append(f"{label}: {value}".rstrip() if "\n" not in value else f"{label}:\n{value}")
    if result.has_problem(SEVERITY_1_CONFIRMATION):
        lines.append(f"{SEVERITY_1_LABEL}: ")
    return "\n".join(lines)
