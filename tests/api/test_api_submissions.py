"""POST and GET /api/v1/submissions: the same rules as the web form, stored once, readable by the organisation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_helpers import ApiClient, api_for, errors_of

from api.tokens import issue_token
from tickets.models import Submission, TicketType
from tickets.validation import validate_submission

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def test_it_files_a_valid_incident_and_answers_201_with_reference_status_and_url(api, customer, incident_body):
    response = api.post(URL, incident_body)
    submission = Submission.objects.get()
    body = response.json()
    assert response.status_code == 201
    assert body["reference"] == submission.reference == f"OXP-{submission.pk:06d}"
    assert body["status"] == "queued"
    assert body["url"] == f"http://testserver/api/v1/submissions/{submission.reference}"
    assert response["Location"] == body["url"]
    assert body["zammad_ticket_number"] is None
    assert (submission.channel, submission.submitter, submission.organisation) == ("api", customer, customer.organisation)
    assert (submission.severity, submission.license_key, submission.environment) == (2, "OX-SUP-ACME-0001", "Production")
    assert body["fields"]["license_key"] == "OX-SUP-ACME-0001"


def test_it_takes_choices_as_the_template_writes_them_in_any_case(api, incident_body):
    body = {**incident_body, "severity": "3", "environment": "staging", "end_user_impact": "MULTIPLE", "platform": "debian 12"}
    assert api.post(URL, body).status_code == 201
    submission = Submission.objects.get()
    assert (submission.severity, submission.environment, submission.end_user_impact, submission.platform) == (
        3, "Staging", "Multiple", "Debian 12")


def test_it_keeps_the_offset_of_the_time_of_test(api, incident_body):
    body = {**incident_body, "tested_at": "2026-01-05T10:00:00-05:00"}
    detail = api.post(URL, body).json()
    assert detail["tested_at"] == "2026-01-05T10:00:00-05:00"
    assert Submission.objects.get().tested_at_tz == "-05:00"


def test_severity_1_needs_the_confirmation_flag(api, incident_body):
    refused = api.post(URL, {**incident_body, "severity": 1})
    assert refused.status_code == 400
    assert errors_of(refused) == [("severity_1_confirmed", "severity_1_unconfirmed")]
    accepted = api.post(URL, {**incident_body, "severity": 1, "severity_1_confirmed": True})
    assert accepted.status_code == 201
    assert accepted.json()["severity_1_confirmed"] is True


def test_it_stores_base64_attachments_judged_by_their_content(api, incident_body):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    body = {**incident_body, "attachments": [
        {"filename": "imap.log", "content_type": "text/plain", "content_base64": b64(b"ERROR login\n")},
        {"filename": "shot.png", "content_type": "application/octet-stream", "content_base64": b64(png)},
    ]}
    response = api.post(URL, body)
    assert response.status_code == 201
    assert response.json()["attachments"] == [
        {"filename": "imap.log", "content_type": "text/plain", "size": 12},
        {"filename": "shot.png", "content_type": "image/png", "size": len(png)},
    ]


def test_invalid_base64_is_a_field_error_on_attachments_and_nothing_is_stored(api, incident_body):
    body = {**incident_body, "attachments": [{"filename": "a.log", "content_type": "text/plain", "content_base64": "not base64!"}]}
    response = api.post(URL, body)
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "attachments", "code": "invalid_base64",
        "message": "The content of “a.log” is not valid base64; encode the file's bytes with standard base64.",
    }]
    assert Submission.objects.count() == 0


def test_an_executable_renamed_to_txt_is_refused_like_on_the_web(api, incident_body):
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
    body = {**incident_body, "attachments": [{"filename": "notes.txt", "content_base64": b64(elf)}]}
    assert errors_of(api.post(URL, body)) == [("attachments", "type_not_allowed")]


def test_an_unknown_ticket_type_is_a_400_that_lists_the_offered_ones(api, incident_body):
    response = api.post(URL, {**incident_body, "ticket_type": "change-request"})  # cloud only
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("ticket_type", "unknown_ticket_type")
    assert error["message"].startswith("“change-request” is not a ticket type you can open. Types offered to you: ")
    assert "incident" in error["message"]


def test_a_missing_ticket_type_is_required(api, incident_body):
    del incident_body["ticket_type"]
    assert errors_of(api.post(URL, incident_body)) == [("ticket_type", "required")]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('{"ticket_type": "incident",', "malformed_json"),
        (b"\xff\xfe not utf-8", "malformed_json"),
        ("[1, 2]", "invalid_body"),
        ('"just a string"', "invalid_body"),
        ("", "invalid_body"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_with_json(api, raw, code):
    response = api.post(URL, raw)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert errors_of(response) == [(None, code)]


def test_unknown_fields_and_wrong_types_are_named(api, incident_body):
    body = {**incident_body, "sevrity": 2, "subject": 42, "severity": 2.5, "attachments": "a.log"}
    errors = {field: code for field, code in errors_of(api.post(URL, body))}
    assert errors == {"sevrity": "unknown_field", "subject": "invalid_type", "severity": "invalid_type",
                      "attachments": "invalid_type"}


def test_a_time_of_test_the_database_cannot_hold_is_a_400_not_a_crash(api, incident_body):
    response = api.post(URL, {**incident_body, "tested_at": "0001-01-01T00:00:00+14:00"})
    assert errors_of(response) == [("tested_at", "invalid_datetime")]


def test_null_characters_are_refused_as_on_the_web(api, incident_body):
    response = api.post(URL, {**incident_body, "description": "a\x00b"})
    assert response.json()["errors"] == [
        {"field": "description", "code": "null_characters", "message": "Null characters are not allowed."}]


# The invalid inputs of tests/test_validation.py: the API must answer with the core's exact problems.
FUTURE = (datetime.now(UTC) + timedelta(days=1)).isoformat()
INVALID_INPUTS = [
    {"license_key": "hello world!"},
    {"license_key": "OX-SUPPORT-OR-LICENSE-KEY-XXX"},
    {"license_key": "OX-SUP-OTHER-0002"},
    {"server": "mail.acme.example"},
    {"severity": "1", "environment": "Staging", "severity_1_confirmed": True},
    {"severity": 2, "environment": "Staging"},
    {"severity": "1"},
    {"severity": "5"},
    {"severity": "high"},
    {"severity": 0},
    {"end_user_impact": "Some"},
    {"tested_at": FUTURE},
    {"tested_at": "2026-01-05 10:00"},
    {"subject": "x" * 201},
    {"server": "mail.acme.example", "environment": "Staging", "severity": "1"},
]


@pytest.mark.parametrize("change", INVALID_INPUTS)
def test_it_gives_the_same_errors_as_the_validation_core(api, customer, other_organisation, incident_body, change):
    body = {**incident_body, **change}
    response = api.post(URL, body)
    expected = validate_submission(ticket_type=TicketType.objects.get(slug="incident"), user=customer, values=body)
    assert response.status_code == 400
    assert response.json()["errors"] == [p.as_dict() for p in expected.problems]
    assert Submission.objects.count() == 0


def test_it_names_every_missing_required_field_like_the_web_form(api):
    response = api.post(URL, {"ticket_type": "incident", "subject": "Broken"})
    required = {field for field, code in errors_of(response) if code == "required"}
    assert required == {
        "license_key", "server", "server_version", "platform", "environment", "severity", "end_user_impact",
        "recent_changes", "description", "steps_to_reproduce", "tested_at", "current_behaviour", "expected_behaviour",
    }
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages["server"] == "Enter the Server; support needs it for this ticket type."
    assert messages["environment"] == "Choose the Environment."


def test_the_web_form_and_the_api_word_the_same_mistakes_alike(client, api, customer, incident_values, incident_body):
    mistakes = {"server": "mail.acme.example", "environment": "Staging", "severity": "1"}
    client.force_login(customer)
    web_data = {**incident_values, **mistakes, "tested_at": "2026-01-05T10:00", "tested_at_tz": "Europe/Berlin"}
    page = client.post("/tickets/new/incident/", web_data).content.decode()
    api_errors = api.post(URL, {**incident_body, **mistakes}).json()["errors"]
    assert [e["code"] for e in api_errors] == ["invalid_url", "staging_severity"]
    for error in api_errors:
        assert error["message"].replace("'", "&#x27;") in page


class TestIdempotency:
    def test_a_repeated_post_with_the_same_key_returns_the_first_submission(self, api, incident_body):
        first = api.post(URL, incident_body, **{"Idempotency-Key": "run-4711"})
        again = api.post(URL, {**incident_body, "subject": "Changed"}, **{"Idempotency-Key": "run-4711"})
        assert first.status_code == 201 and "Idempotent-Replayed" not in first
        assert again.status_code == 200
        assert again["Idempotent-Replayed"] == "true"
        assert again.json()["reference"] == first.json()["reference"]
        assert Submission.objects.count() == 1

    def test_without_a_key_or_with_another_key_each_post_files_a_ticket(self, api, incident_body):
        api.post(URL, incident_body)
        api.post(URL, incident_body)
        api.post(URL, incident_body, **{"Idempotency-Key": "other"})
        assert Submission.objects.count() == 3

    def test_keys_are_per_user(self, api, colleague, incident_body):
        api.post(URL, incident_body, **{"Idempotency-Key": "shared"})
        other = api_for(colleague).post(URL, incident_body, **{"Idempotency-Key": "shared"})
        assert other.status_code == 201
        assert Submission.objects.count() == 2

    def test_a_refused_request_does_not_use_up_its_key(self, api, incident_body):
        refused = api.post(URL, {**incident_body, "server": "nope"}, **{"Idempotency-Key": "k1"})
        accepted = api.post(URL, incident_body, **{"Idempotency-Key": "k1"})
        assert (refused.status_code, accepted.status_code) == (400, 201)

    def test_an_overlong_key_is_refused(self, api, incident_body):
        response = api.post(URL, incident_body, **{"Idempotency-Key": "k" * 201})
        assert errors_of(response) == [("Idempotency-Key", "invalid_idempotency_key")]


def test_a_body_over_the_limit_is_413_before_it_is_read(api, settings, incident_body):
    settings.API_MAX_BODY_BYTES = 2000
    response = api.post(URL, {**incident_body, "description": "x" * 3000})
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 2000 bytes; send fewer or smaller attachments."
    assert Submission.objects.count() == 0


def test_a_body_over_djangos_upload_limit_is_a_json_413(api, settings, incident_body):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(URL, {**incident_body, "description": "x" * 3000})
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."


def file(api: ApiClient, body: dict[str, Any], **changes: Any) -> str:
    response = api.post(URL, {**body, **changes})
    assert response.status_code == 201, response.json()
    return str(response.json()["reference"])


class TestReading:
    def test_the_list_shows_the_organisations_submissions_newest_first(self, api, colleague, outsider, incident_body):
        mine = file(api, incident_body)
        colleagues = file(api_for(colleague), incident_body)
        file(api_for(outsider), {**incident_body, "license_key": "OX-SUP-OTHER-0002"})
        page = api.get(URL).json()
        assert [item["reference"] for item in page["items"]] == [colleagues, mine]
        assert (page["count"], page["page"], page["page_size"]) == (2, 1, 25)
        assert page["items"][0]["submitter"] == "bob@acme.example"

    def test_the_list_pages_and_filters(self, api, incident_body):
        references = [file(api, incident_body) for _ in range(3)]
        feedback = file(api, {"ticket_type": "feedback", "subject": "Nice", "description": "Dark mode"})
        Submission.objects.filter(reference=references[0]).update(status="forwarded")
        second_page = api.get(URL, {"page": 2, "page_size": 2}).json()
        assert [i["reference"] for i in second_page["items"]] == [references[1], references[0]]
        assert [i["reference"] for i in api.get(URL, {"status": "forwarded"}).json()["items"]] == [references[0]]
        assert [i["reference"] for i in api.get(URL, {"ticket_type": "feedback"}).json()["items"]] == [feedback]
        assert api.get(URL, {"page": 99}).json()["items"] == []

    def test_bad_query_parameters_are_a_400(self, api):
        response = api.get(URL, {"page": 0, "status": "lost"})
        assert response.status_code == 400
        assert sorted(errors_of(response)) == [("page", "invalid_parameter"), ("status", "invalid_parameter")]

    def test_the_detail_shows_delivery_status_and_the_zammad_ticket(self, api, incident_body):
        reference = file(api, incident_body)
        Submission.objects.filter(reference=reference).update(
            status="forwarded", zammad_ticket_id=42, zammad_ticket_number="31042", zammad_state="open")
        detail = api.get(f"{URL}/{reference}").json()
        assert (detail["status"], detail["status_label"]) == ("forwarded", "Forwarded to support")
        assert (detail["zammad_ticket_number"], detail["zammad_state"]) == ("31042", "open")
        assert detail["fields"]["description"] == "Since 10:40 no user can log in via IMAP."
        assert detail["web_url"] == f"http://testserver/tickets/{reference}/"

    def test_another_organisations_reference_is_404_like_a_missing_one(self, api, outsider, incident_body):
        theirs = file(api_for(outsider), {**incident_body, "license_key": "OX-SUP-OTHER-0002"})
        for reference in (theirs, "OXP-999999"):
            response = api.get(f"{URL}/{reference}")
            assert response.status_code == 404
            assert response.json()["detail"].startswith("Not found.")

    def test_a_user_without_organisation_sees_only_their_own(self, loner, api, incident_body):
        file(api, incident_body)
        loners = ApiClient(api.client, issue_token(loner, "x").secret)
        mine = file(loners, {"ticket_type": "feedback", "subject": "Hi", "description": "Hello"})
        assert [i["reference"] for i in loners.get(URL).json()["items"]] == [mine]


def test_unknown_paths_below_the_api_answer_json_404(api):
    response = api.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert json.loads(response.content)["detail"].startswith("There is no such endpoint.")


def test_a_wrong_method_answers_json_405_with_the_allowed_ones(api):
    response = api.client.delete(URL, headers=api.headers())
    assert response.status_code == 405
    body = json.loads(response.content)
    assert body["detail"] == f"This endpoint does not accept DELETE. Allowed: {response['Allow']}."
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
