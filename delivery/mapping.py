"""Turn a submission into the body of `POST /api/v1/tickets` (zammad-api.md §4).

Everything here is pure: it reads the submission and settings and returns data, so the exact
payload can be tested without Zammad. The customer id is resolved elsewhere (delivery.customers)
and passed in.
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tickets.catalogue import (
    END_USER_IMPACT_CHOICES,
    ENVIRONMENT_CHOICES,
    FIELDS,
    SEVERITY_DEFINITIONS,
    Kind,
    TemplateField,
)
from tickets.models import Attachment, Submission
from tickets.timeparse import zone_for_label

# Zammad's object manager keeps 200 characters of a title (§4.1).
TITLE_MAX = 200
# Portal values that can feed a Zammad custom attribute besides the template fields.
EXTRA_CUSTOM_SOURCES = ("reference", "ticket_type", "channel", "organisation")


def portal_tag(submission: Submission) -> str:
    """The unique tag that lets a retry find the ticket an ambiguous attempt may have created (§8)."""
    return f"portal-{submission.reference}".lower()


def ticket_title(submission: Submission) -> str:
    return submission.subject[:TITLE_MAX].strip()


def same_title(zammad_title: str, submission: Submission) -> bool:
    # Zammad turns tabs and line breaks into spaces and strips the title (§4.1).
    return " ".join(zammad_title.split()) == " ".join(ticket_title(submission).split())


def group_for(submission: Submission) -> str:
    return settings.ZAMMAD_GROUPS.get(submission.ticket_type.slug, settings.ZAMMAD_DEFAULT_GROUP)


def priority_for(submission: Submission) -> str:
    return settings.ZAMMAD_PRIORITIES.get(str(submission.severity), settings.ZAMMAD_DEFAULT_PRIORITY)


def tags_for(submission: Submission) -> str:
    """Tags as Zammad wants them on create: one comma-separated string (§4.1)."""
    tags = [submission.ticket_type.slug]
    if submission.severity:
        tags.append(f"severity-{submission.severity}")
    if submission.environment:
        tags.append(submission.environment)
    tags.append(submission.channel)
    tags.append(portal_tag(submission))
    # A comma would split a tag in two; none of these can contain one, but be safe.
    return ",".join(tag.replace(",", " ").strip().lower() for tag in tags)


def build_ticket_payload(submission: Submission, customer: int | str) -> dict[str, Any]:
    """The complete create request; `customer` is a Zammad user id (or "guess:<email>")."""
    payload: dict[str, Any] = {
        "title": ticket_title(submission),
        "group": group_for(submission),
        "customer_id": customer,
        "priority": priority_for(submission),
        "tags": tags_for(submission),
        "article": {
            "type": "web",
            "sender": "Customer",
            "internal": False,
            "content_type": "text/plain",
            "subject": submission.subject[:TITLE_MAX],
            "body": article_body(submission),
            "attachments": [encode_attachment(a) for a in submission.attachments.all()],
        },
    }
    payload.update(custom_attributes(submission))
    return payload


def encode_attachment(attachment: Attachment) -> dict[str, str]:
    with attachment.file.open("rb") as handle:
        data = base64.b64encode(handle.read()).decode("ascii")
    return {"filename": attachment.filename, "data": data, "mime-type": attachment.content_type}


def custom_attributes(submission: Submission) -> dict[str, str]:
    """Operator-mapped Zammad custom attributes; empty values are left out (no bogus select options)."""
    attributes: dict[str, str] = {}
    for portal_field, attribute in settings.ZAMMAD_CUSTOM_FIELDS.items():
        value = custom_value(submission, portal_field)
        if value:
            attributes[attribute] = value
    return attributes


def custom_value(submission: Submission, portal_field: str) -> str:
    if portal_field == "ticket_type":
        return submission.ticket_type.slug
    if portal_field == "organisation":
        return submission.organisation.name if submission.organisation else ""
    if portal_field == "tested_at":
        return submission.tested_at.isoformat() if submission.tested_at else ""
    if portal_field == "attachments" or not known_custom_source(portal_field):
        return ""
    value = getattr(submission, portal_field)
    return "" if value is None else str(value)


def known_custom_source(portal_field: str) -> bool:
    return portal_field in EXTRA_CUSTOM_SOURCES or any(
        f.name == portal_field and f.kind != Kind.FILES for f in FIELDS
    )


def article_body(submission: Submission) -> str:
    """Every template field, labelled, in the portal's language: agents must see all of it."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [*_header(submission), ""]
        shown = set(submission.ticket_type.visible_fields()) | {"subject"}
        for template_field in FIELDS:
            text = _display_value(submission, template_field)
            if template_field.name in shown or text:
                lines.extend(_field_lines(str(template_field.label), text or _("(not given)")))
        lines.extend(_problem_lines(submission))
        lines.extend(["", _("Portal: %(url)s") % {"url": settings.PORTAL_BASE_URL + submission.get_absolute_url()}])
    return "\n".join(lines) + "\n"


def _header(submission: Submission) -> list[str]:
    submitter = submission.submitter
    who = f"{submitter.get_full_name()} <{submitter.email}>" if submitter.get_full_name() else submitter.email
    organisation = submission.organisation.name if submission.organisation else _("no organisation")
    return [
        _("Submitted through the OX helpdesk portal (%(channel)s) as %(type)s, reference %(reference)s.")
        % {"channel": submission.get_channel_display(), "type": submission.ticket_type.name,
           "reference": submission.reference},
        _("Customer: %(who)s, %(organisation)s") % {"who": who, "organisation": organisation},
    ]


def _field_lines(label: str, text: str) -> list[str]:
    if "\n" not in text:
        return [f"{label}: {text}"]
    # Multi-line answers go below their label, indented, so they stay readable in Zammad.
    return [f"{label}:", *(f"    {line}".rstrip() for line in text.splitlines()), ""]


def _display_value(submission: Submission, template_field: TemplateField) -> str:
    name = template_field.name
    if name == "attachments":
        return ", ".join(f"{a.filename} ({_size(a.size)})" for a in submission.attachments.all())
    if name == "tested_at":
        return _tested_at(submission)
    if name == "severity":
        return _severity(submission)
    value = str(getattr(submission, name) or "").strip()
    choices = {"environment": ENVIRONMENT_CHOICES, "end_user_impact": END_USER_IMPACT_CHOICES}.get(name)
    if choices and value:
        return str(dict(choices).get(value, value))
    return value


def _tested_at(submission: Submission) -> str:
    if not submission.tested_at:
        return ""
    local = submission.tested_at.astimezone(zone_for_label(submission.tested_at_tz))
    return f"{local:%Y-%m-%d %H:%M} ({submission.tested_at_tz or 'UTC'})"


def _severity(submission: Submission) -> str:
    if not submission.severity:
        return ""
    text = str(SEVERITY_DEFINITIONS[submission.severity][0])
    if submission.severity == 1 and submission.severity_1_confirmed:
        text += " – " + _("confirmed by the customer as a complete outage or security threat")
    return text


def _problem_lines(submission: Submission) -> list[str]:
    if not submission.problems:
        return []
    lines = ["", _("Missing or invalid information (forwarded anyway):")]
    lines.extend(f"- {problem.get('message', '')}" for problem in submission.problems)
    return lines


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
