"""The one set of rules for a submission, applied by the web form, the mail channel and the API.

Every channel hands raw values (strings as typed, mailed or posted) to `validate_submission` and
gets back normalised data plus a list of problems, each tied to a field, with a stable code for
machines and a message that tells a customer exactly what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LicenseKey
from tickets.attachments import CheckedFile, IncomingFile, check_files
from tickets.catalogue import (
    END_USER_IMPACT_CHOICES,
    ENVIRONMENT_CHOICES,
    FIELDS_BY_NAME,
    POLICY_FIELDS,
    Environment,
    Kind,
    Policy,
)
from tickets.models import Platform, TicketType
from tickets.timeparse import TimeParseError, parse_tested_at

if TYPE_CHECKING:
    from accounts.models import User

SEVERITY_1_CONFIRMATION = "severity_1_confirmed"
LICENSE_KEY_PATTERN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)+$")
PLACEHOLDER_KEYS = {"OX-SUPPORT-OR-LICENSE-KEY-XXX"}
# A small allowance for clocks that run slightly ahead of ours.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class ValidationResult:
    data: dict[str, object] = field(default_factory=dict)
    files: list[CheckedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def add(self, field_name: str, code: str, message: str) -> None:
        self.problems.append(Problem(field_name, code, message))

    def has_problem(self, field_name: str) -> bool:
        return any(p.field == field_name for p in self.problems)

    def problems_by_field(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem)
        return grouped


def validate_submission(
    *,
    ticket_type: TicketType,
    user: User,
    values: Mapping[str, object],
    files: Sequence[IncomingFile] = (),
    now: datetime | None = None,
) -> ValidationResult:
    """Check raw values against the type's field policy and the OX rules."""
    result = ValidationResult()
    now = now or timezone.now()
    _check_subject(result, values.get("subject"))
    for name in POLICY_FIELDS:
        policy = ticket_type.policy(name)
        if name == "attachments":
            _check_attachments(result, policy, files)
            continue
        if policy == Policy.HIDDEN:
            continue
        raw = _as_text(values.get(name))
        if not raw:
            if policy == Policy.REQUIRED:
                result.add(name, "required", _required_message(name))
            continue
        _CHECKS.get(FIELDS_BY_NAME[name].kind, _check_text)(result, name, raw)
    if "license_key" in result.data:
        _check_key_ownership(result, ticket_type, user)
    if "tested_at" in result.data:
        _check_not_future(result, now)
    _check_severity_rules(result, values.get(SEVERITY_1_CONFIRMATION))
    return result


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value).strip()


def _required_message(name: str) -> str:
    field_label = FIELDS_BY_NAME[name].label
    if FIELDS_BY_NAME[name].kind in (Kind.CHOICE, Kind.INTEGER_CHOICE):
        return _("Choose the %(field)s.") % {"field": field_label}
    return _("Enter the %(field)s; support needs it for this ticket type.") % {"field": field_label}


def _check_length(result: ValidationResult, name: str, value: str) -> bool:
    limit = FIELDS_BY_NAME[name].max_length
    if limit and len(value) > limit:
        result.add(name, "too_long", _("Shorten the %(field)s to at most %(max)d characters (it has %(count)d).")
                   % {"field": FIELDS_BY_NAME[name].label, "max": limit, "count": len(value)})
        return False
    return True


def _check_subject(result: ValidationResult, raw: object) -> None:
    subject = " ".join(_as_text(raw).split())
    if not subject:
        result.add("subject", "required", _("Enter a subject: one line that says what is wrong."))
    elif _check_length(result, "subject", subject):
        result.data["subject"] = subject


def _check_text(result: ValidationResult, name: str, raw: str) -> None:
    if name == "license_key":
        _check_license_key_format(result, raw)
    elif _check_length(result, name, raw):
        result.data[name] = raw


def _check_license_key_format(result: ValidationResult, raw: str) -> None:
    key = raw.replace(" ", "").upper()
    if key in PLACEHOLDER_KEYS:
        result.add("license_key", "placeholder", _("Replace the example key from the template with your own license key."))
    elif not (6 <= len(key) <= 64) or not LICENSE_KEY_PATTERN.match(key):
        result.add("license_key", "malformed", _(
            "This does not look like an OX license key. Keys are letters and digits in groups "
            "separated by hyphens, for example OX-SUP-1234-ABCD."
        ))
    else:
        result.data["license_key"] = key


def _check_key_ownership(result: ValidationResult, ticket_type: TicketType, user: User) -> None:
    if not ticket_type.license_key_must_match_organisation:
        return
    key = str(result.data["license_key"])
    if not user.organisation_id:
        result.add("license_key", "no_organisation", _(
            "Your account is not linked to an organisation yet, so a license key cannot be checked. "
            "Leave it empty, or open an Organisation Setup request to link your account."
        ))
    elif not LicenseKey.objects.filter(key=key, organisation_id=user.organisation_id, is_active=True).exists():
        result.add("license_key", "not_yours", _(
            "This license key is not registered to your organisation. Check it for typos, or ask "
            "support to add it to your organisation."
        ))
    else:
        return
    del result.data["license_key"]


def _check_url(result: ValidationResult, name: str, raw: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(raw)
    except ValidationError:
        result.add(name, "invalid_url", _(
            "Enter the server as a full address starting with https:// or http://, for example "
            "https://mail.example.com."
        ))
        return
    if _check_length(result, name, raw):
        result.data[name] = raw


def _check_choice(result: ValidationResult, name: str, raw: str) -> None:
    choices = _choices_for(name)
    lookup = {value.lower(): value for value in choices}
    lookup.update(_CHOICE_ALIASES.get(name, {}))
    value = lookup.get(" ".join(raw.split()).lower())
    if value is None:
        result.add(name, "invalid_choice", _("“%(value)s” is not one of the choices for %(field)s: %(choices)s.")
                   % {"value": raw[:100], "field": FIELDS_BY_NAME[name].label, "choices": ", ".join(choices)})
    else:
        result.data[name] = value


def _choices_for(name: str) -> list[str]:
    if name == "platform":
        return list(Platform.objects.filter(is_active=True).values_list("name", flat=True))
    if name == "environment":
        return [value for value, _label in ENVIRONMENT_CHOICES]
    return [value for value, _label in END_USER_IMPACT_CHOICES]


_CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "environment": {"prod": "Production", "stage": "Staging", "test": "Staging", "testing": "Staging"},
    "end_user_impact": {
        "single user": "Single", "one": "Single", "multiple users": "Multiple", "many": "Multiple",
        "all users": "All", "everyone": "All", "vip user": "VIP", "vip users": "VIP",
    },
}


def _check_severity(result: ValidationResult, name: str, raw: str) -> None:
    text = raw.lower().removeprefix("severity").removeprefix("sev").strip(" :-")
    if text in {"1", "2", "3", "4"}:
        result.data[name] = int(text)
    else:
        result.add(name, "invalid_choice", _("Choose a severity from 1 (critical) to 4 (question); “%(value)s” is not one.")
                   % {"value": raw[:50]})


def _check_datetime(result: ValidationResult, name: str, raw: str) -> None:
    try:
        moment, zone_label = parse_tested_at(raw)
    except TimeParseError as exc:
        if exc.code in ("missing_zone", "bad_zone"):
            result.add(name, "missing_timezone", _(
                "Add the time zone to the date/time of test, for example 2026-03-14 09:30 Europe/Berlin "
                "or 2026-03-14T09:30+01:00."
            ))
        else:
            result.add(name, "invalid_datetime", _(
                "Enter the date/time of test as year-month-day and hours:minutes with a time zone, for "
                "example 2026-03-14 09:30 Europe/Berlin."
            ))
        return
    result.data[name] = moment
    result.data["tested_at_tz"] = zone_label


def _check_not_future(result: ValidationResult, now: datetime) -> None:
    moment = result.data["tested_at"]
    assert isinstance(moment, datetime)
    if moment > now + FUTURE_TOLERANCE:
        result.add("tested_at", "in_future", _(
            "The date/time of test is in the future. Enter when you last saw the problem, with its time zone."
        ))
        del result.data["tested_at"]
        del result.data["tested_at_tz"]


def _check_severity_rules(result: ValidationResult, confirmation: object) -> None:
    severity = result.data.get("severity")
    if severity in (1, 2) and result.data.get("environment") == Environment.STAGING.value:
        result.add("severity", "staging_severity", _(
            "A problem on a staging system is Severity 3 at most, by definition. Choose Severity 3 or "
            "4, or set Environment to Production if production is affected."
        ))
        del result.data["severity"]
        return
    if severity == 1:
        confirmed = _as_text(confirmation).lower() in {"yes", "true", "1", "on", "y", "ja", "confirmed"}
        if confirmed:
            result.data[SEVERITY_1_CONFIRMATION] = True
        else:
            result.add(SEVERITY_1_CONFIRMATION, "severity_1_unconfirmed", _(
                "Severity 1 is only for a complete outage of a primary service or a concrete security "
                "threat. Confirm that this is the case, or choose a lower severity."
            ))


def _check_attachments(result: ValidationResult, policy: Policy, files: Sequence[IncomingFile]) -> None:
    if policy == Policy.HIDDEN:
        if files:
            result.add("attachments", "not_accepted", _("This ticket type does not take attachments; remove them."))
        return
    if not files:
        if policy == Policy.REQUIRED:
            result.add("attachments", "required", _("Attach at least one file (for example a log or a screenshot)."))
        return
    checked, problems = check_files(list(files))
    for code, message in problems:
        result.add("attachments", code, message)
    if not problems:
        result.files = checked


_CHECKS = {
    Kind.TEXT: _check_text,
    Kind.LONGTEXT: _check_text,
    Kind.URL: _check_url,
    Kind.CHOICE: _check_choice,
    Kind.INTEGER_CHOICE: _check_severity,
    Kind.DATETIME: _check_datetime,
}
