"""The validation core: every rule and its exact message, as all channels see them."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tickets.attachments import IncomingFile
from tickets.models import TicketType
from tickets.validation import validate_submission

pytestmark = pytest.mark.django_db


def check(user: Any, values: dict[str, Any], slug: str = "incident", files: list[IncomingFile] | None = None):
    return validate_submission(
        ticket_type=TicketType.objects.get(slug=slug), user=user, values=values, files=files or []
    )


def codes(result: Any) -> dict[str, list[str]]:
    return {field: [p.code for p in problems] for field, problems in result.problems_by_field().items()}


def test_it_accepts_a_complete_incident_and_normalises_it(customer, incident_values):
    result = check(customer, incident_values)
    assert result.is_valid, result.problems
    assert result.data["license_key"] == "OX-SUP-ACME-0001"
    assert result.data["severity"] == 2
    assert result.data["environment"] == "Production"
    assert result.data["tested_at_tz"] == "UTC"


def test_it_names_every_missing_required_field_of_an_incident(customer):
    result = check(customer, {"subject": "Broken"})
    required = {f for f, c in codes(result).items() if "required" in c}
    assert required == {
        "license_key", "server", "server_version", "platform", "environment", "severity", "end_user_impact",
        "recent_changes", "description", "steps_to_reproduce", "tested_at", "current_behaviour", "expected_behaviour",
    }
    messages = {p.field: p.message for p in result.problems}
    assert messages["server"] == "Enter the Server; support needs it for this ticket type."
    assert messages["environment"] == "Choose the Environment."


def test_it_requires_a_subject_on_every_type(customer):
    result = check(customer, {"description": "x"}, slug="feedback")
    assert [p.message for p in result.problems] == ["Enter a subject: one line that says what is wrong."]


def test_it_ignores_fields_hidden_for_the_type(customer):
    result = check(customer, {"subject": "Idea", "description": "Dark mode", "server": "not a url"}, slug="feature-request")
    assert result.is_valid
    assert "server" not in result.data


def test_it_refuses_a_malformed_license_key(customer, incident_values):
    result = check(customer, {**incident_values, "license_key": "hello world!"})
    assert codes(result)["license_key"] == ["malformed"]
    assert "OX-SUP-1234-ABCD" in result.problems[0].message


def test_it_refuses_the_template_placeholder_key(customer, incident_values):
    result = check(customer, {**incident_values, "license_key": "OX-SUPPORT-OR-LICENSE-KEY-XXX"})
    assert codes(result)["license_key"] == ["placeholder"]


def test_it_refuses_another_organisations_license_key(customer, outsider, incident_values):
    result = check(customer, {**incident_values, "license_key": "OX-SUP-OTHER-0002"})
    assert codes(result)["license_key"] == ["not_yours"]
    assert result.problems[0].message == (
        "This license key is not registered to your organisation. Check it for typos, or ask support to add it "
        "to your organisation."
    )


def test_it_lets_organisation_setup_name_a_key_of_an_organisation_not_yet_joined(loner, other_organisation):
    values = {"subject": "Join", "license_key": "OX-SUP-OTHER-0002", "organisation_name": "Other Telco SA",
              "description": "I am the new admin."}
    assert check(loner, values, slug="organisation-setup").is_valid


def test_it_requires_the_server_to_be_a_url(customer, incident_values):
    result = check(customer, {**incident_values, "server": "mail.acme.example"})
    assert codes(result)["server"] == ["invalid_url"]
    assert "https://mail.example.com" in result.problems[0].message


@pytest.mark.parametrize("severity", ["1", "2"])
def test_it_refuses_severity_1_or_2_on_staging_and_explains_why(customer, incident_values, severity):
    values = {**incident_values, "severity": severity, "environment": "Staging", "severity_1_confirmed": True}
    result = check(customer, values)
    assert codes(result) == {"severity": ["staging_severity"]}
    assert result.problems[0].message.startswith("A problem on a staging system is Severity 3 at most")


def test_it_accepts_severity_3_on_staging(customer, incident_values):
    assert check(customer, {**incident_values, "severity": "3", "environment": "staging"}).is_valid


def test_it_asks_to_confirm_severity_1(customer, incident_values):
    result = check(customer, {**incident_values, "severity": "1"})
    assert codes(result) == {"severity_1_confirmed": ["severity_1_unconfirmed"]}
    confirmed = check(customer, {**incident_values, "severity": "1", "severity_1_confirmed": "on"})
    assert confirmed.is_valid
    assert confirmed.data["severity_1_confirmed"] is True


@pytest.mark.parametrize("raw", ["5", "high", "0"])
def test_it_refuses_a_severity_outside_1_to_4(customer, incident_values, raw):
    assert codes(check(customer, {**incident_values, "severity": raw})) == {"severity": ["invalid_choice"]}


def test_it_matches_choices_case_insensitively_and_lists_valid_ones(customer, incident_values):
    ok = check(customer, {**incident_values, "environment": "PRODUCTION", "end_user_impact": "multiple", "platform": "debian 12"})
    assert ok.is_valid
    assert (ok.data["environment"], ok.data["end_user_impact"], ok.data["platform"]) == ("Production", "Multiple", "Debian 12")
    bad = check(customer, {**incident_values, "end_user_impact": "Some"})
    assert bad.problems[0].message == (
        "“Some” is not one of the choices for End-User-Impact: Unknown, Single, Multiple, All, VIP."
    )


def test_it_refuses_a_time_of_test_in_the_future(customer, incident_values):
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    result = check(customer, {**incident_values, "tested_at": future})
    assert codes(result) == {"tested_at": ["in_future"]}


def test_it_requires_a_time_zone_with_the_time_of_test(customer, incident_values):
    result = check(customer, {**incident_values, "tested_at": "2026-01-05 10:00"})
    assert codes(result) == {"tested_at": ["missing_timezone"]}


@pytest.mark.parametrize(
    ("raw", "zone", "utc_hour"),
    [
        ("2026-01-05 10:00 Europe/Berlin", "Europe/Berlin", 9),
        ("05.01.2026 10:00 CET", "+01:00", 9),
        ("2026-01-05T10:00:00-05:00", "-05:00", 15),
        ("2026-01-05 10:00 UTC", "UTC", 10),
    ],
)
def test_it_keeps_the_time_zone_of_the_test(customer, incident_values, raw, zone, utc_hour):
    result = check(customer, {**incident_values, "tested_at": raw})
    assert result.is_valid, result.problems
    assert result.data["tested_at_tz"] == zone
    assert result.data["tested_at"].astimezone(UTC).hour == utc_hour


def test_it_refuses_an_overlong_subject(customer, incident_values):
    result = check(customer, {**incident_values, "subject": "x" * 201})
    assert codes(result) == {"subject": ["too_long"]}


class TestAttachments:
    def test_it_accepts_logs_and_images_by_content(self, customer, incident_values):
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        result = check(customer, incident_values, files=[IncomingFile("imap.log", b"ERROR x\n"), IncomingFile("s.png", png)])
        assert result.is_valid
        assert [f.content_type for f in result.files] == ["text/plain", "image/png"]

    def test_it_refuses_an_executable_renamed_to_txt(self, customer, incident_values):
        elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
        result = check(customer, incident_values, files=[IncomingFile("notes.txt", elf)])
        assert codes(result) == {"attachments": ["type_not_allowed"]}

    def test_it_refuses_a_pdf_named_like_an_image(self, customer, incident_values):
        result = check(customer, incident_values, files=[IncomingFile("shot.png", b"%PDF-1.7\n" + b"x" * 50)])
        assert codes(result) == {"attachments": ["type_mismatch"]}

    def test_it_refuses_a_file_over_the_per_file_limit(self, settings, customer, incident_values):
        settings.ATTACHMENT_MAX_FILE_BYTES = 1000
        result = check(customer, incident_values, files=[IncomingFile("big.log", b"a" * 1001)])
        assert codes(result) == {"attachments": ["file_too_large"]}
        assert "each file may be at most 1000\xa0bytes" in result.problems[0].message

    def test_it_refuses_attachments_over_the_total_limit(self, settings, customer, incident_values):
        settings.ATTACHMENT_MAX_TOTAL_BYTES = 1500
        files = [IncomingFile("a.log", b"a" * 800), IncomingFile("b.log", b"b" * 800)]
        assert codes(check(customer, incident_values, files=files)) == {"attachments": ["total_too_large"]}

    def test_it_refuses_too_many_files(self, settings, customer, incident_values):
        settings.ATTACHMENT_MAX_FILES = 2
        files = [IncomingFile(f"{i}.log", b"x") for i in range(3)]
        assert "too_many_files" in codes(check(customer, incident_values, files=files))["attachments"]

    def test_it_refuses_a_zip_bomb(self, customer, incident_values):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("zeros.log", b"\x00" * (20 * 1024 * 1024))
        result = check(customer, incident_values, files=[IncomingFile("logs.zip", buffer.getvalue())])
        assert codes(result) == {"attachments": ["compression_bomb"]}

    def test_it_strips_paths_from_file_names(self, customer, incident_values):
        result = check(customer, incident_values, files=[IncomingFile("../../etc/passwd.log", b"x")])
        assert result.files[0].name == "passwd.log"


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+14:00", "1999-12-31 23:00 UTC"])
def test_it_refuses_a_time_of_test_no_system_could_have_been_tested_at(customer, incident_values, raw):
    assert codes(check(customer, {**incident_values, "tested_at": raw})) == {"tested_at": ["invalid_datetime"]}
