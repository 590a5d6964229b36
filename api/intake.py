"""File a submission from an API request: the JSON values go to the same validation core as the web form."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from api.errors import InvalidRequest
from tickets.attachments import IncomingFile, safe_filename
from tickets.models import Submission, TicketType
from tickets.services import DuplicateSubmission, create_submission
from tickets.validation import Problem, validate_submission

if TYPE_CHECKING:
    from accounts.models import User

IDEMPOTENCY_KEY_MAX_LENGTH = 200


@dataclass(frozen=True)
class Filed:
    submission: Submission
    replayed: bool  # True when an Idempotency-Key returned an earlier submission


def file_submission(user: User, payload: dict[str, Any], idempotency_key: str | None) -> Filed:
    """Check and store a submission, or raise InvalidRequest with every problem found."""
    key = _checked_idempotency_key(idempotency_key)
    if key:
        earlier = Submission.objects.filter(submitter=user, idempotency_key=key).first()
        if earlier is not None:
            return Filed(earlier, replayed=True)
    ticket_type = _offered_type(user, payload.get("ticket_type"))
    problems = _unstorable_text(payload)
    files, file_problems = _decoded_attachments(payload.get("attachments") or [])
    refused = {p.field for p in problems} | ({"attachments"} if file_problems else set())
    values = {name: value for name, value in payload.items() if name not in refused}
    result = validate_submission(ticket_type=ticket_type, user=user, values=values, files=files)
    # A field refused already (undecodable files, NUL characters) gets no second opinion from the core.
    core_problems = [p for p in result.problems if p.field not in refused]
    problems += file_problems + core_problems
    if problems:
        raise InvalidRequest(problems)
    try:
        submission = create_submission(
            user=user, ticket_type=ticket_type, result=result, channel=Submission.Channel.API, idempotency_key=key
        )
    except DuplicateSubmission as duplicate:  # the same key raced in from a parallel request
        return Filed(duplicate.existing, replayed=True)
    return Filed(submission, replayed=False)


def _checked_idempotency_key(raw: str | None) -> str:
    key = (raw or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidRequest([Problem("Idempotency-Key", "invalid_idempotency_key", _(
            "The Idempotency-Key header must be at most %(max)d printable characters, e.g. a UUID."
        ) % {"max": IDEMPOTENCY_KEY_MAX_LENGTH})])
    return key


def _offered_type(user: User, slug: object) -> TicketType:
    offered = TicketType.objects.offered_to(user)
    if not isinstance(slug, str) or not slug.strip():
        raise InvalidRequest([Problem("ticket_type", "required", _(
            "Choose a ticket type: send the slug of one of the types GET /api/v1/ticket-types lists."
        ))])
    ticket_type = offered.filter(slug=slug.strip().lower()).first() if _storable(slug) else None
    if ticket_type is None:
        slugs = ", ".join(offered.values_list("slug", flat=True))
        raise InvalidRequest([Problem("ticket_type", "unknown_ticket_type", _(
            "“%(value)s” is not a ticket type you can open. Types offered to you: %(slugs)s."
        ) % {"value": slug[:50], "slugs": slugs})])
    return ticket_type


def _storable(text: str) -> bool:
    """False for text no database can hold: NUL characters or lone UTF-16 surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable_text(payload: dict[str, Any]) -> list[Problem]:
    return [
        Problem(name, "null_characters", _("Null characters are not allowed."))
        if "\x00" in value
        else Problem(name, "invalid_characters", _("Remove the invalid characters (lone UTF-16 surrogates)."))
        for name, value in payload.items()
        if isinstance(value, str) and not _storable(value)
    ]



def _decoded_attachments(items: list[dict[str, Any]]) -> tuple[list[IncomingFile], list[Problem]]:
    files: list[IncomingFile] = []
    problems: list[Problem] = []
    for position, item in enumerate(items, start=1):
        name = str(item.get("filename") or "")
        shown = safe_filename(name) if _storable(name) else _("attachment %(n)d") % {"n": position}
        if not _storable(name):
            problems.append(Problem("attachments", "invalid_characters", _(
                "The file name of attachment %(n)d contains invalid characters.") % {"n": position}))
            continue
        try:
            content = base64.b64decode(str(item.get("content_base64") or ""), validate=True)
        except (binascii.Error, ValueError):
            problems.append(Problem("attachments", "invalid_base64", _(
                "The content of “%(name)s” is not valid base64; encode the file's bytes with standard base64."
            ) % {"name": shown}))
            continue
        files.append(IncomingFile(name=name, content=content))
    return files, problems
