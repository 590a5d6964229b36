"""Submission history: who sees which submission and attachment, filters, pages, and where uploads live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tickets.models import Attachment, Submission, TicketType
from tickets.services import format_reference

pytestmark = pytest.mark.django_db


def make_submission(user: User, subject: str, type_slug: str = "incident", **fields: Any) -> Submission:
    submission = Submission.objects.create(
        ticket_type=TicketType.objects.get(slug=type_slug),
        organisation=user.organisation,
        submitter=user,
        subject=subject,
        **fields,
    )
    submission.reference = format_reference(submission.pk)
    submission.save(update_fields=["reference"])
    return submission


def attach(submission: Submission, filename: str, content: bytes, content_type: str) -> Attachment:
    attachment = Attachment(
        submission=submission, filename=filename, content_type=content_type, size=len(content), sha256="0" * 64
    )
    attachment.file.save(filename, ContentFile(content), save=False)
    attachment.save()
    return attachment


def listed_subjects(client: Client, **query: Any) -> list[str]:
    response = client.get(reverse("tickets:list"), query)
    assert response.status_code == 200
    return [s.subject for s in response.context["page"].object_list]


@pytest.fixture
def tickets(customer, colleague, outsider, loner) -> dict[str, Submission]:
    return {
        "mine": make_submission(customer, "Alice's incident"),
        "colleague": make_submission(colleague, "Bob's incident"),
        "other_org": make_submission(outsider, "Eve's incident"),
        "loner": make_submission(loner, "Solo feedback", type_slug="feedback"),
    }


class TestWhoSeesWhat:
    def test_a_member_sees_the_submissions_of_the_whole_organisation(self, client, customer, tickets):
        client.force_login(customer)
        assert sorted(listed_subjects(client)) == ["Alice's incident", "Bob's incident"]
        page = client.get(reverse("tickets:list")).content.decode()
        assert "Tickets of Acme Mail AG" in page
        assert "bob@acme.example" in page  # a colleague's submission says who sent it

    def test_a_user_without_organisation_sees_only_their_own(self, client, loner, tickets):
        other_loner = User.objects.create_user("another@nowhere.example", "pw")
        make_submission(other_loner, "Someone else's feedback", type_slug="feedback")
        client.force_login(loner)
        assert listed_subjects(client) == ["Solo feedback"]

    def test_a_member_sees_a_colleagues_submission_in_full(self, client, colleague, tickets):
        client.force_login(colleague)
        response = client.get(tickets["mine"].get_absolute_url())
        assert response.status_code == 200
        assert "Alice&#x27;s incident" in response.content.decode()

    @pytest.mark.parametrize("intruder", ["outsider", "loner"])
    def test_another_organisations_submission_is_not_found(self, client, request, tickets, intruder):
        client.force_login(request.getfixturevalue(intruder))
        assert client.get(tickets["mine"].get_absolute_url()).status_code == 404
        assert "Alice's incident" not in listed_subjects(client)

    def test_an_unknown_reference_is_not_found(self, client, customer, tickets):
        client.force_login(customer)
        assert client.get(reverse("tickets:detail", args=["OXP-999999"])).status_code == 404

    def test_anonymous_visitors_are_sent_to_the_login(self, client, tickets):
        attachment = attach(tickets["mine"], "imap.log", b"log\n", "text/plain")
        for url in (reverse("tickets:list"), tickets["mine"].get_absolute_url(), attachment.get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login") + "?next=")


class TestAttachments:
    def test_it_is_served_as_a_download_with_its_type_to_the_submitter_and_colleagues(
        self, client, customer, colleague, tickets
    ):
        attachment = attach(tickets["mine"], "screen shot.png", b"\x89PNG\r\n\x1a\nfake", "image/png")
        for user in (customer, colleague):
            client.force_login(user)
            response = client.get(attachment.get_absolute_url())
            assert response.status_code == 200
            assert response["Content-Type"] == "image/png"
            assert response["Content-Disposition"] == 'attachment; filename="screen shot.png"'
            assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nfake"

    @pytest.mark.parametrize("intruder", ["outsider", "loner"])
    def test_another_organisations_attachment_is_not_found(self, client, request, tickets, intruder):
        attachment = attach(tickets["mine"], "imap.log", b"secret log\n", "text/plain")
        client.force_login(request.getfixturevalue(intruder))
        assert client.get(attachment.get_absolute_url()).status_code == 404

    def test_an_attachment_cannot_be_fetched_through_a_visible_submission(self, client, outsider, tickets):
        # The outsider may see their own submission, but not Alice's file under its reference.
        attachment = attach(tickets["mine"], "imap.log", b"secret log\n", "text/plain")
        client.force_login(outsider)
        url = reverse("tickets:attachment", args=[tickets["other_org"].reference, attachment.pk])
        assert client.get(url).status_code == 404

    def test_a_file_missing_on_disk_is_not_found_rather_than_an_error(self, client, customer, tickets):
        attachment = attach(tickets["mine"], "imap.log", b"log\n", "text/plain")
        Path(attachment.file.path).unlink()
        client.force_login(customer)
        assert client.get(attachment.get_absolute_url()).status_code == 404

    def test_the_detail_page_lists_the_attachments_with_their_download_links(self, client, customer, tickets):
        attachment = attach(tickets["mine"], "imap.log", b"log\n", "text/plain")
        client.force_login(customer)
        page = client.get(tickets["mine"].get_absolute_url()).content.decode()
        assert f'<a href="{attachment.get_absolute_url()}">imap.log</a>' in page

    def test_uploads_are_stored_under_random_names_outside_the_static_files(
        self, client, settings, customer, incident_values
    ):
        client.force_login(customer)
        data = {**incident_values, "tested_at": "2026-01-05T10:00", "tested_at_tz": "Europe/Berlin"}
        data["attachments"] = [SimpleUploadedFile("customer-secrets.log", b"password=hunter2\n")]
        client.post(reverse("tickets:create", args=["incident"]), data)
        stored = Path(Attachment.objects.get().file.path)
        assert stored.read_bytes() == b"password=hunter2\n"
        assert "customer-secrets" not in str(stored)
        assert stored.suffix == ".log"
        assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
        static_roots = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
        assert not any(stored.is_relative_to(root) for root in static_roots)
        media_path = stored.relative_to(settings.MEDIA_ROOT).as_posix()
        for prefix in ("/media/", "/static/", "/"):
            assert client.get(prefix + media_path).status_code == 404


class TestFiltersAndPages:
    @pytest.fixture
    def history(self, customer) -> dict[str, Submission]:
        return {
            "outage": make_submission(customer, "Outage in production", severity=1, status=Submission.Status.FORWARDED),
            "slow": make_submission(customer, "Slow webmail", severity=3, status=Submission.Status.QUEUED),
            "idea": make_submission(customer, "Dark mode please", type_slug="feature-request", severity=4),
        }

    def test_it_filters_by_status(self, client, customer, history):
        client.force_login(customer)
        assert listed_subjects(client, status="forwarded") == ["Outage in production"]

    def test_it_filters_by_type(self, client, customer, history):
        client.force_login(customer)
        assert listed_subjects(client, type="feature-request") == ["Dark mode please"]

    def test_it_filters_by_severity(self, client, customer, history):
        client.force_login(customer)
        assert listed_subjects(client, severity="3") == ["Slow webmail"]

    def test_it_searches_the_subject_and_the_exact_reference(self, client, customer, history):
        client.force_login(customer)
        assert listed_subjects(client, q="webmail") == ["Slow webmail"]
        assert listed_subjects(client, q=history["idea"].reference.lower()) == ["Dark mode please"]

    def test_filters_combine(self, client, customer, history):
        client.force_login(customer)
        assert listed_subjects(client, type="incident", severity="1", status="forwarded") == ["Outage in production"]
        assert listed_subjects(client, type="incident", severity="4") == []

    def test_nothing_found_says_so(self, client, customer, history):
        client.force_login(customer)
        assert "No tickets match these filters." in client.get(reverse("tickets:list"), {"q": "nothing"}).content.decode()

    def test_nonsense_filter_values_are_ignored(self, client, customer, history):
        client.force_login(customer)
        assert len(listed_subjects(client, status="bogus", severity="9", page="abc")) == 3

    def test_a_filter_never_reveals_another_organisation(self, client, outsider, history):
        client.force_login(outsider)
        assert listed_subjects(client, q=history["outage"].reference) == []

    def test_it_shows_25_per_page_newest_first_and_keeps_the_filters_across_pages(self, client, customer):
        for number in range(30):
            make_submission(customer, f"Ticket {number:02d}", severity=3)
        make_submission(customer, "Not severity 3", severity=2)
        client.force_login(customer)
        first = client.get(reverse("tickets:list"), {"severity": "3"})
        assert [s.subject for s in first.context["page"].object_list][:2] == ["Ticket 29", "Ticket 28"]
        assert len(first.context["page"].object_list) == 25
        page = first.content.decode()
        assert "Page 1 of 2" in page
        assert 'href="?severity=3&amp;page=2"' in page
        second = listed_subjects(client, severity="3", page="2")
        assert second == [f"Ticket {n:02d}" for n in range(4, -1, -1)]


class TestStaff:
    def test_staff_with_view_permission_open_any_submission_and_attachment(self, client, staff_user, tickets):
        attachment = attach(tickets["other_org"], "eve.log", b"log\n", "text/plain")
        client.force_login(staff_user)
        assert client.get(tickets["other_org"].get_absolute_url()).status_code == 200
        assert client.get(attachment.get_absolute_url()).status_code == 200

    def test_staff_without_the_permission_see_only_their_own(self, client, tickets):
        helper = User.objects.create_user("helper@ox.example", "pw", is_staff=True)
        attachment = attach(tickets["other_org"], "eve.log", b"log\n", "text/plain")
        client.force_login(helper)
        assert client.get(tickets["other_org"].get_absolute_url()).status_code == 404
        assert client.get(attachment.get_absolute_url()).status_code == 404
