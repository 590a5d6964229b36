"""Request and response shapes of the REST API; they also make up the OpenAPI document.

Input fields are typed loosely on purpose (severity as number or string, every field optional):
the shared validation core, not pydantic, decides what is missing or wrong, so the API reports
the same codes and messages as the web form.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt, StrictStr

from tickets.models import Submission

# An enum in the schema, so generated clients know every status.
SubmissionStatus = Submission.Status


class ProblemOut(Schema):
    field: str | None = Field(description="The field the problem is about; null for the request as a whole.")
    code: str = Field(description="A stable code for machines, e.g. required, invalid_choice, not_yours.")
    message: str = Field(description="What to fix, in the language of Accept-Language (English or German).")


class ErrorOut(Schema):
    detail: str
    errors: list[ProblemOut] = Field(default_factory=list)


class ChoiceOut(Schema):
    value: StrictStr | StrictInt
    label: str
    definition: str | None = None


class FieldOut(Schema):
    name: str
    label: str
    kind: str = Field(description="text, longtext, url, choice, integer_choice, datetime, boolean or files.")
    policy: str = Field(description="required, optional or hidden (a hidden field is ignored if sent).")
    help_text: str
    max_length: int | None = None
    choices: list[ChoiceOut] | None = None


class TicketTypeOut(Schema):
    slug: str
    name: str
    description: str
    fields: list[FieldOut]


class AttachmentIn(Schema):
    filename: str
    content_type: str | None = Field(None, description="Informative only: the content decides the type.")
    content_base64: str = Field(description="The file's bytes, base64-encoded (standard alphabet, with padding).")


EXAMPLE_SUBMISSION = {
    "ticket_type": "incident",
    "subject": "IMAP logins fail for all users",
    "license_key": "OX-SUP-ACME-0001",
    "server": "https://mail.acme.example",
    "server_version": "8.22.0",
    "platform": "Debian 12",
    "environment": "Production",
    "gui_version": "8.22.1",
    "severity": 2,
    "end_user_impact": "All",
    "track_id": "ACME-4711",
    "recent_changes": "None in the last 24 hours",
    "description": "Since 10:40 no user can log in via IMAP.",
    "steps_to_reproduce": "1. Open Thunderbird\n2. Log in\n3. See the error",
    "client": "Thunderbird 128",
    "tested_at": "2026-03-14T10:40:00+01:00",
    "current_behaviour": "AUTHENTICATE fails with NO [UNAVAILABLE]",
    "expected_behaviour": "Login succeeds",
    "test_account": "test01@acme.example",
    "attachments": [{"filename": "imap.log", "content_type": "text/plain", "content_base64": "RVJST1IgbG9naW4K"}],
}


class SubmissionIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_SUBMISSION]})

    ticket_type: str | None = Field(None, description="Slug of a type offered to you (GET /api/v1/ticket-types).")
    subject: str | None = None
    license_key: str | None = None
    organisation_name: str | None = None
    server: str | None = None
    server_version: str | None = None
    platform: str | None = None
    environment: str | None = Field(None, description="Production or Staging (case-insensitive).")
    gui_version: str | None = None
    severity: StrictInt | StrictStr | None = Field(None, description="1 to 4, as a number or a string.")
    severity_1_confirmed: bool | None = Field(None, description="Must be true to file a Severity 1 ticket.")
    end_user_impact: str | None = Field(None, description="Unknown, Single, Multiple, All or VIP.")
    track_id: str | None = None
    recent_changes: str | None = None
    description: str | None = None
    steps_to_reproduce: str | None = None
    client: str | None = None
    tested_at: str | None = Field(None, description="ISO 8601 with offset, e.g. 2026-03-14T09:30:00+01:00.")
    current_behaviour: str | None = None
    expected_behaviour: str | None = None
    test_account: str | None = None
    attachments: list[AttachmentIn] | None = None


class AttachmentOut(Schema):
    filename: str
    content_type: str
    size: int


class SubmissionOut(Schema):
    reference: str
    url: str = Field(description="This submission in the API.")
    web_url: str = Field(description="This submission in the portal.")
    ticket_type: str
    ticket_type_name: str
    subject: str
    severity: int | None
    channel: str
    status: SubmissionStatus
    status_label: str
    submitter: str
    created_at: datetime
    updated_at: datetime
    forwarded_at: datetime | None
    zammad_ticket_number: str | None
    zammad_state: str | None


class SubmissionDetailOut(SubmissionOut):
    tested_at: datetime | None = Field(description="In the time zone the customer gave.")
    severity_1_confirmed: bool
    fields: dict[str, str] = Field(description="Every template field that has a value, by field name.")
    problems: list[ProblemOut]
    attachments: list[AttachmentOut]


class SubmissionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SubmissionOut]


class SubmissionFilters(Schema):
    status: SubmissionStatus | None = None
    ticket_type: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(25, ge=1, le=100)
