"""The fields of the OX ticket template, described once for every channel.

The web form, the mail parser, the REST API schema, the admin and the Zammad article body all
read this catalogue, so a field is labelled and explained the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Policy(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    HIDDEN = "hidden"


class Kind(StrEnum):
    TEXT = "text"  # one line
    LONGTEXT = "longtext"  # several lines
    URL = "url"
    CHOICE = "choice"
    INTEGER_CHOICE = "integer_choice"
    DATETIME = "datetime"
    FILES = "files"


@dataclass(frozen=True)
class TemplateField:
    name: str
    label: Promise
    kind: Kind
    help_text: Promise
    # Labels as the mail template writes them, and common variants, for the mail parser.
    mail_labels: tuple[str, ...] = ()
    max_length: int = 0
    # Policy-controlled fields can be required, optional or hidden per ticket type.
    policy_controlled: bool = True
    aliases: tuple[str, ...] = field(default=())


class Environment(StrEnum):
    STAGING = "Staging"
    PRODUCTION = "Production"


class EndUserImpact(StrEnum):
    UNKNOWN = "Unknown"
    SINGLE = "Single"
    MULTIPLE = "Multiple"
    ALL = "All"
    VIP = "VIP"


ENVIRONMENT_CHOICES = [(Environment.STAGING.value, _("Staging")), (Environment.PRODUCTION.value, _("Production"))]
END_USER_IMPACT_CHOICES = [
    (EndUserImpact.UNKNOWN.value, _("Unknown")),
    (EndUserImpact.SINGLE.value, _("Single user")),
    (EndUserImpact.MULTIPLE.value, _("Multiple users")),
    (EndUserImpact.ALL.value, _("All users")),
    (EndUserImpact.VIP.value, _("VIP user(s)")),
]

# Our own wording of OX's severity definitions, shown beside the choice.
SEVERITY_DEFINITIONS: dict[int, tuple[Promise, Promise]] = {
    1: (
        _("Severity 1 – Critical"),
        _(
            "A primary service (IMAP, POP3, SMTP, the web UI…) is down completely, or more than 35% of "
            "users cannot work and there is no workaround. Also: a concrete security threat that puts "
            "customer or user data at immediate risk of disclosure."
        ),
    ),
    2: (
        _("Severity 2 – Major"),
        _(
            "Business is severely disrupted: a primary service is below its performance threshold or "
            "unusable for more than 10% of users, or a major function or secondary service (search, "
            "provisioning API, CalDAV/CardDAV, Documents…) fails for more than 35% of users."
        ),
    ),
    3: (
        _("Severity 3 – Minor"),
        _(
            "Partial loss of non-critical functionality: many operations are impaired but you can keep "
            "working. Any problem on a staging system belongs here, even one that would be Severity 1 "
            "or 2 in production."
        ),
    ),
    4: (
        _("Severity 4 – Question"),
        _(
            "Usage questions, suggestions for improvements, documentation or translation errors, and "
            "anything else that does not fit the levels above."
        ),
    ),
}
SEVERITY_CHOICES = [(level, label) for level, (label, _definition) in SEVERITY_DEFINITIONS.items()]

FIELDS: tuple[TemplateField, ...] = (
    TemplateField(
        "subject",
        _("Subject"),
        Kind.TEXT,
        _("One line that tells support what is wrong, e.g. “IMAP logins fail for all users since 10:40”."),
        mail_labels=("subject",),
        max_length=200,
        policy_controlled=False,
    ),
    TemplateField(
        "license_key",
        _("License Key"),
        Kind.TEXT,
        _("Your OX license or support key, e.g. OX-SUP-1234-ABCD. It must belong to your organisation."),
        mail_labels=("license key", "support key", "license", "licence key"),
        max_length=64,
    ),
    TemplateField(
        "organisation_name",
        _("Organisation"),
        Kind.TEXT,
        _("The company or organisation your account should be linked to."),
        mail_labels=("organisation", "organization", "company"),
        max_length=200,
    ),
    TemplateField(
        "server",
        _("Server"),
        Kind.URL,
        _("The address of the affected machine or service, e.g. https://mail.example.com."),
        mail_labels=("server", "server url", "url"),
        max_length=500,
    ),
    TemplateField(
        "server_version",
        _("Server Version"),
        Kind.LONGTEXT,
        _("The server version (e.g. 8.22.0 or 7.10.6-rev36) or the list of installed packages."),
        mail_labels=("server version",),
        max_length=5000,
    ),
    TemplateField(
        "platform",
        _("Platform"),
        Kind.CHOICE,
        _("The operating system or platform the server runs on."),
        mail_labels=("platform", "distribution", "os platform"),
        max_length=100,
    ),
    TemplateField(
        "environment",
        _("Environment"),
        Kind.CHOICE,
        _("Is the problem on a staging system or in production?"),
        mail_labels=("environment",),
        max_length=20,
    ),
    TemplateField(
        "gui_version",
        _("GUI Version"),
        Kind.LONGTEXT,
        _("The version of the web interface (GUI) or its package list, if it applies."),
        mail_labels=("gui version", "frontend version", "ui version"),
        max_length=5000,
    ),
    TemplateField(
        "severity",
        _("Severity"),
        Kind.INTEGER_CHOICE,
        _("How badly business is affected; the definitions are next to each level."),
        mail_labels=("severity", "severity level"),
    ),
    TemplateField(
        "end_user_impact",
        _("End-User-Impact"),
        Kind.CHOICE,
        _("How many end users are affected."),
        mail_labels=("end-user-impact", "end user impact", "enduser impact", "user impact", "impact"),
        max_length=20,
    ),
    TemplateField(
        "track_id",
        _("Track-ID"),
        Kind.TEXT,
        _("Your own internal tracking number for this issue, if you have one."),
        mail_labels=("track-id", "track id", "trackid", "tracking id", "tracking number"),
        max_length=100,
    ),
    TemplateField(
        "recent_changes",
        _("Recent changes"),
        Kind.LONGTEXT,
        _(
            "What changed in the last 24 hours (configuration, updates, anything else) and when. "
            "Write “none” if nothing changed."
        ),
        mail_labels=(
            "recent changes",
            "date/time of last changes",
            "date/time of last changes to configuration or installing updates",
            "last changes",
            "changes",
        ),
        max_length=10000,
    ),
    TemplateField(
        "description",
        _("Issue Description"),
        Kind.LONGTEXT,
        _("What is happening, since when, and who is affected."),
        mail_labels=("issue description", "description", "issue", "reason"),
        max_length=20000,
    ),
    TemplateField(
        "steps_to_reproduce",
        _("Steps to reproduce"),
        Kind.LONGTEXT,
        _("Step by step, what someone has to do to see the problem."),
        mail_labels=("steps to reproduce", "steps", "how to reproduce"),
        max_length=20000,
    ),
    TemplateField(
        "client",
        _("Used OS/Browser/Client"),
        Kind.TEXT,
        _("The operating system, browser or mail client used for the test, with versions."),
        mail_labels=("used os/browser/client", "used os/browser/client (with version)", "os/browser/client", "client", "browser"),
        max_length=500,
    ),
    TemplateField(
        "tested_at",
        _("Date/time of test"),
        Kind.DATETIME,
        _("When you last saw the problem, with the time zone; it cannot be in the future."),
        mail_labels=("date/time of test", "date/time of test (with timezone)", "time of test", "tested at", "date of test"),
    ),
    TemplateField(
        "current_behaviour",
        _("Current behaviour"),
        Kind.LONGTEXT,
        _("What happens now: error messages or unexpected results, with date and time."),
        mail_labels=(
            "current behaviour",
            "current behavior",
            "current behaviour / error or unexpected results",
            "current behaviour / error or unexpected results (date/time)",
            "error or unexpected results",
        ),
        max_length=20000,
    ),
    TemplateField(
        "expected_behaviour",
        _("Expected behaviour"),
        Kind.LONGTEXT,
        _("What should happen instead."),
        mail_labels=("expected behaviour", "expected behavior", "expected result"),
        max_length=20000,
    ),
    TemplateField(
        "test_account",
        _("Test account"),
        Kind.TEXT,
        _("An account support may use to reproduce the issue (never send its password here)."),
        mail_labels=("test account", "test account to reproduce issue", "test user"),
        max_length=500,
    ),
    TemplateField(
        "attachments",
        _("Attachments"),
        Kind.FILES,
        _("Logs, screenshots or configuration files."),
    ),
)

FIELDS_BY_NAME: dict[str, TemplateField] = {f.name: f for f in FIELDS}
POLICY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.policy_controlled)
# Fields stored as plain text on the submission (everything but severity, time and files).
TEXT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.kind not in (Kind.INTEGER_CHOICE, Kind.DATETIME, Kind.FILES)
)


def label(name: str) -> str:
    return str(FIELDS_BY_NAME[name].label)
