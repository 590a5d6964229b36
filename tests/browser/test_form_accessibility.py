"""Accessible markup of the ticket form (checked on the HTML; the browser journey checks focus and keys)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Collects every element's attributes, and the ids labels point to."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def by_id(self, element_id: str) -> dict[str, str]:
        matches = [attrs for _tag, attrs in self.elements if attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id}"
        return matches[0]

    def labelled_ids(self) -> set[str]:
        return {attrs["for"] for tag, attrs in self.elements if tag == "label" and "for" in attrs}

    def form_controls(self) -> list[dict[str, str]]:
        return [
            attrs for tag, attrs in self.elements
            if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit")
            and attrs.get("name") not in ("language",)
        ]


def parsed(page: str) -> Elements:
    elements = Elements()
    elements.feed(page)
    return elements


@pytest.fixture
def failed_incident(client, customer, incident_values) -> str:
    client.force_login(customer)
    data: dict[str, Any] = {**incident_values, "server": "mail.acme.example", "severity": "1",
                            "tested_at": "2026-01-05T10:00", "tested_at_tz": "Europe/Berlin"}
    data["attachments"] = [SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 200)]
    return client.post(reverse("tickets:create", args=["incident"]), data).content.decode()


def test_every_form_control_has_a_label(client, customer):
    client.force_login(customer)
    elements = parsed(client.get(reverse("tickets:create", args=["incident"])).content.decode())
    controls = elements.form_controls()
    assert len(controls) > 20
    assert [c["id"] for c in controls if c.get("id") not in elements.labelled_ids()] == []


def test_required_fields_are_announced_as_required(client, customer):
    client.force_login(customer)
    elements = parsed(client.get(reverse("tickets:create", args=["incident"])).content.decode())
    for field in ("id_license_key", "id_server", "id_platform", "id_description", "id_severity_0"):
        assert elements.by_id(field).get("aria-required") == "true", field
    assert "aria-required" not in elements.by_id("id_track_id")


def test_the_error_summary_links_only_to_fields_that_exist(failed_incident):
    elements = parsed(failed_incident)
    summary_links = re.findall(r'<a href="#([^"]+)" class="alert-link">', failed_incident)
    # In the order of the form's sections: urgency first, then the system, then the rest.
    assert summary_links == ["id_severity_1_confirmed", "id_server", "id_attachments"]
    for target in summary_links:
        elements.by_id(target)
    assert elements.by_id("error-summary").get("tabindex") == "-1"  # focusable by script, not by Tab


def test_the_severity_radios_are_a_group_with_a_legend_and_its_help(client, customer):
    client.force_login(customer)
    page = client.get(reverse("tickets:create", args=["incident"])).content.decode()
    assert '<fieldset aria-describedby="id_severity_helptext">' in page
    assert re.search(r"<legend[^>]*>\s*Severity<span", page)
    assert '<label for="id_severity_0" class="form-check-label"> <strong>Severity 1 – Critical</strong>' in page


def test_a_severity_error_describes_the_radio_group_and_marks_each_radio(client, customer, incident_values):
    client.force_login(customer)
    data = {**incident_values, "severity": "2", "environment": "Staging",
            "tested_at": "2026-01-05T10:00", "tested_at_tz": "Europe/Berlin"}
    page = client.post(reverse("tickets:create", args=["incident"]), data).content.decode()
    elements = parsed(page)
    assert '<fieldset aria-describedby="id_severity_helptext id_severity_error">' in page
    elements.by_id("id_severity_error")
    for index in range(4):
        assert elements.by_id(f"id_severity_{index}").get("aria-invalid") == "true"
    assert '<a href="#id_severity_0" class="alert-link">Severity</a>' in page


def test_the_severity_1_checkbox_is_labelled_and_described_by_its_help_and_error(failed_incident):
    elements = parsed(failed_incident)
    checkbox = elements.by_id("id_severity_1_confirmed")
    assert checkbox["aria-describedby"] == "id_severity_1_confirmed_helptext id_severity_1_confirmed_error"
    assert checkbox["aria-invalid"] == "true"
    elements.by_id("id_severity_1_confirmed_error")
    assert "id_severity_1_confirmed" in elements.labelled_ids()


def test_the_file_input_is_described_by_the_limits_and_its_error(failed_incident):
    elements = parsed(failed_incident)
    upload = elements.by_id("id_attachments")
    assert upload["aria-describedby"] == "id_attachments_helptext id_attachments_error"
    assert upload["aria-invalid"] == "true" and "multiple" in upload
    assert "“tool.exe” contains EXE data, which we do not accept." in failed_incident
    assert "Up to 10 files, at most 10.0\xa0MB each and 25.0\xa0MB together." in failed_incident


def test_text_fields_are_described_by_their_help_and_error(failed_incident):
    server = parsed(failed_incident).by_id("id_server")
    assert server["aria-describedby"] == "id_server_helptext id_server_error"
    assert server["aria-invalid"] == "true"


def test_after_an_error_the_customer_is_told_to_attach_the_files_again(client, customer, incident_values):
    client.force_login(customer)
    data: dict[str, Any] = {**incident_values, "server": "not a url", "tested_at": "2026-01-05T10:00", "tested_at_tz": "UTC"}
    data["attachments"] = [SimpleUploadedFile("imap.log", b"log line\n")]
    page = client.post(reverse("tickets:create", args=["incident"]), data).content.decode()
    assert "Browsers cannot keep chosen files after an error: attach your files again before you submit." in page
    del data["attachments"]
    page = client.post(reverse("tickets:create", args=["incident"]), data).content.decode()
    assert "attach your files again" not in page
