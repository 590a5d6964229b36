"""Completion by reply: an answer to a needs-information reply completes the held submission.

The portal's reply carries the reference in brackets in its subject ("Re: Login fails [OXP-000123]").
When the customer answers it, the stored values and the new ones are merged and checked again, so
the same submission is completed instead of a second one reaching support for the same problem.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings

from accounts.models import User
from mailin.parser import ParsedBody
from mailin.template import extract_values
from tickets.catalogue import TEXT_FIELDS
from tickets.models import Submission
from tickets.timeparse import TimeParseError, parse_zone
from tickets.validation import SEVERITY_1_CONFIRMATION, ValidationResult, validate_submission

# Twelve digits at most: anything longer cannot be a primary key and must not reach the database.
_TAG = r"\[\s*{prefix}-(\d{{1,12}})\s*\]"


def _tag_pattern() -> re.Pattern[str]:
    # Built on use: the prefix is a setting and may differ per installation (and per test).
    return re.compile(_TAG.format(prefix=re.escape(settings.SUBMISSION_REFERENCE_PREFIX)), re.IGNORECASE)


def referenced_ids(subject: str) -> list[int]:
    """The submission ids named by bracketed references in a subject, in order."""
    return [int(digits) for digits in _tag_pattern().findall(subject or "")]


def strip_tags(subject: str) -> str:
    """The subject without bracketed references, so a reply does not repeat them."""
    return " ".join(_tag_pattern().sub(" ", subject or "").split())


def tagged_subject(subject: str, reference: str, limit: int) -> str:
    """`subject` ending in "[reference]", shortened so the tag always survives `limit`."""
    tag = f" [{reference}]"
    return strip_tags(subject)[: max(limit - len(tag), 0)].rstrip() + tag


def lock_held(user: User, subject: str) -> Submission | None:
    """The sender's own held submission the subject refers to, row-locked; else None.

    Any other status (queued, forwarded, ...) or another user's submission is not completed: the
    mail is then processed as a new one. The lock makes a second, concurrent completion wait and
    then see that the submission is no longer held.
    """
    ids = referenced_ids(subject)
    if not ids:
        return None
    candidates = Submission.objects.select_for_update().filter(pk__in=ids, submitter=user).order_by("pk")
    held = [s for s in candidates if s.status == Submission.Status.NEEDS_INFO]
    return min(held, key=lambda s: ids.index(s.pk)) if held else None


def stored_values(submission: Submission) -> dict[str, object]:
    """The held submission's values in the raw form the validation core takes (missing ones left out)."""
    values: dict[str, object] = {name: getattr(submission, name) for name in TEXT_FIELDS if getattr(submission, name)}
    if submission.severity:
        values["severity"] = str(submission.severity)
    if submission.severity_1_confirmed:
        values[SEVERITY_1_CONFIRMATION] = "yes"
    if submission.tested_at:
        values["tested_at"] = _iso_in_zone(submission.tested_at, submission.tested_at_tz)
    return values


def _iso_in_zone(moment: datetime, label: str) -> str:
    # ISO 8601 with the offset the customer's zone had then, so the core re-parses the same moment.
    try:
        zone, _label = parse_zone(label)
    except TimeParseError:
        return moment.isoformat()
    return moment.astimezone(zone).isoformat()


def merge(submission: Submission, body: ParsedBody, *, forwarded: bool) -> dict[str, object]:
    """Stored values overlaid with every non-empty value of the new mail; the stored subject stays."""
    new = {name: value for name, value in extract_values(body.text, forwarded=forwarded).items() if value.strip()}
    new.pop("subject", None)  # the answer's subject is "Re: ... [ref]", not a new title for the problem
    return {**stored_values(submission), **new}


def validate_merged(submission: Submission, user: User, values: dict[str, object], body: ParsedBody) -> ValidationResult:
    """Check the merged values with the held submission's ticket type; only the new files are checked."""
    result = validate_submission(ticket_type=submission.ticket_type, user=user, values=values, files=body.attachments)
    if "tested_at" in result.data and values.get("tested_at") == stored_values(submission).get("tested_at"):
        # The re-parsed ISO string only knows the offset; keep the zone the customer named.
        result.data["tested_at_tz"] = submission.tested_at_tz
    if submission.attachments.exists():
        # Files sent with the first mail count: a required attachment is not missing.
        result.problems = [p for p in result.problems if not (p.field == "attachments" and p.code == "required")]
    return result
