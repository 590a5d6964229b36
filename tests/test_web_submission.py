"""The web form: what a customer sees and what gets stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tickets.models import Submission

pytestmark = pytest.mark.django_db


def form_data(values: dict[str, Any]) -> dict[str, Any]:
    data = dict(values)
    data["tested_at"], data["tested_at_tz"] = "2026-01-05T10:00", "Europe/Berlin"
    return data


def test_it_offers_only_the_types_of_the_customers_product_groups(client, customer):
    client.force_login(customer)
    page = client.get(reverse("tickets:types")).content.decode()
    assert "Incident" in page and "Support Request" in page and "Organisation Setup" in page
    assert "Change Request" not in page  # cloud only


def test_a_user_without_organisation_gets_only_universal_types(client, loner):
    client.force_login(loner)
    page = client.get(reverse("tickets:types")).content.decode()
    assert "Service Request" in page and "Feedback" in page
    assert "Incident" not in page
    assert client.get(reverse("tickets:create", args=["incident"])).status_code == 404


def test_it_stores_a_valid_incident_and_lands_on_its_page(client, customer, incident_values):
    client.force_login(customer)
    response = client.post(reverse("tickets:create", args=["incident"]), form_data(incident_values))
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{submission.reference}/"
    assert submission.reference == f"OXP-{submission.pk:06d}"
    assert submission.status == Submission.Status.QUEUED
    assert (submission.organisation, submission.channel, submission.tested_at_tz) == (customer.organisation, "web", "Europe/Berlin")
    page = client.get(response["Location"]).content.decode()
    assert "IMAP logins fail for all users" in page and "2026-01-05 10:00 (Europe/Berlin)" in page


def test_it_shows_each_error_next_to_its_field_and_in_a_summary_and_keeps_the_input(client, customer, incident_values):
    client.force_login(customer)
    data = form_data({**incident_values, "server": "mail.acme.example", "environment": "Staging", "severity": "1"})
    response = client.post(reverse("tickets:create", args=["incident"]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert Submission.objects.count() == 0
    assert 'id="error-summary"' in page
    assert 'href="#id_server"' in page
    assert 'id="id_server_error"' in page
    assert 'aria-describedby="id_server_helptext id_server_error"' in page
    assert "A problem on a staging system is Severity 3 at most" in page
    assert 'value="mail.acme.example"' in page  # what was typed stays
    assert "Since 10:40 no user can log in via IMAP." in page


def test_hidden_fields_are_not_rendered(client, customer):
    client.force_login(customer)
    page = client.get(reverse("tickets:create", args=["feature-request"])).content.decode()
    assert 'name="description"' in page
    assert 'name="server"' not in page and 'name="severity"' not in page


def test_the_form_shows_severity_definitions_and_upload_limits(client, customer):
    client.force_login(customer)
    page = client.get(reverse("tickets:create", args=["incident"])).content.decode()
    assert "more than 35% of users cannot work" in page
    assert "Up to 10 files, at most 10.0\xa0MB each and 25.0\xa0MB together" in page


def test_an_over_limit_attachment_is_refused_and_nothing_is_saved(client, settings, customer, incident_values, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ATTACHMENT_MAX_FILE_BYTES = 100
    client.force_login(customer)
    data = form_data(incident_values)
    data["attachments"] = [SimpleUploadedFile("huge.log", b"x" * 101)]
    page = client.post(reverse("tickets:create", args=["incident"]), data).content.decode()
    assert "“huge.log” is 101\xa0bytes; each file may be at most 100\xa0bytes." in page
    assert Submission.objects.count() == 0
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.log"))
