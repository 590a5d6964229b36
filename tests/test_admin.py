"""Staff admin: reviewing submissions, and editing organisations, ticket types and platforms."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import AccountRequest, Organisation
from tickets.catalogue import POLICY_FIELDS
from tickets.models import Attachment, Platform, Submission, TicketType
from tickets.services import format_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def submissions(customer, outsider) -> list[Submission]:
    made = []
    for user, subject, key in ((customer, "IMAP down", "OX-SUP-ACME-0001"), (outsider, "Calendar sync slow", "OX-SUP-OTHER-0002")):
        submission = Submission.objects.create(
            ticket_type=TicketType.objects.get(slug="incident"), organisation=user.organisation, submitter=user,
            subject=subject, license_key=key, severity=2, environment="Production",
        )
        submission.reference = format_reference(submission.pk)
        submission.save(update_fields=["reference"])
        made.append(submission)
    return made


def found(staff_client: Any, query: str) -> list[str]:
    response = staff_client.get(reverse("admin:tickets_submission_changelist"), {"q": query})
    assert response.status_code == 200
    return [s.subject for s in response.context["cl"].result_list]


class TestSubmissions:
    def test_the_list_shows_the_columns_staff_need(self, staff_client, submissions):
        response = staff_client.get(reverse("admin:tickets_submission_changelist"))
        page = response.content.decode()
        for column in ("reference", "created_at", "submitter", "organisation", "ticket_type", "severity", "environment", "status"):
            assert f'class="sortable column-{column}' in page or f'class="column-{column}' in page, column
        assert submissions[0].reference in page and "Acme Mail AG" in page and "Severity 2 – Major" in page

    def test_the_list_can_be_filtered(self, staff_client, submissions):
        response = staff_client.get(reverse("admin:tickets_submission_changelist"))
        titles = {str(spec.title) for spec in response.context["cl"].filter_specs}
        assert {"status", "ticket type", "Severity", "Environment", "organisation"} <= titles
        other = submissions[1].organisation_id
        filtered = staff_client.get(reverse("admin:tickets_submission_changelist"), {"organisation__id__exact": other})
        assert [s.subject for s in filtered.context["cl"].result_list] == ["Calendar sync slow"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [("OXP-", ["Calendar sync slow", "IMAP down"]), ("alice@acme", ["IMAP down"]),
         ("OX-SUP-OTHER-0002", ["Calendar sync slow"]), ("imap", ["IMAP down"])],
    )
    def test_staff_search_by_reference_email_license_key_and_subject(self, staff_client, submissions, query, expected):
        assert sorted(found(staff_client, query)) == expected

    def test_search_finds_one_reference_exactly(self, staff_client, submissions):
        assert found(staff_client, submissions[1].reference) == ["Calendar sync slow"]

    def test_the_detail_is_read_only_and_lists_the_attachments(self, staff_client, submissions):
        submission = submissions[0]
        attachment = Attachment(submission=submission, filename="imap.log", content_type="text/plain", size=4, sha256="0" * 64)
        attachment.file.save("imap.log", ContentFile(b"log\n"), save=False)
        attachment.save()
        url = reverse("admin:tickets_submission_change", args=[submission.pk])
        page = staff_client.get(url).content.decode()
        assert "IMAP down" in page
        assert 'name="subject"' not in page and 'name="license_key"' not in page
        assert 'name="_save"' not in page  # view-only: no Save button that would change nothing
        assert f'<a href="{attachment.get_absolute_url()}">imap.log</a>' in page
        staff_client.post(url, {"subject": "Changed by staff"})
        submission.refresh_from_db()
        assert submission.subject == "IMAP down"
        # Staff may download what the customer attached.
        assert staff_client.get(attachment.get_absolute_url()).status_code == 200

    def test_staff_cannot_add_a_submission_behind_a_customers_back(self, staff_client):
        assert staff_client.get(reverse("admin:tickets_submission_add")).status_code == 403

    def test_customers_do_not_get_into_the_admin(self, client, customer):
        client.force_login(customer)
        response = client.get(reverse("admin:tickets_submission_changelist"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


class TestOrganisations:
    def test_an_organisation_is_created_with_its_license_keys_inline(self, staff_client, on_premise):
        response = staff_client.post(reverse("admin:accounts_organisation_add"), {
            "name": "New Telco", "sla_level": "premium", "is_ox_customer": "on", "product_groups": [on_premise.pk],
            "license_keys-TOTAL_FORMS": "2", "license_keys-INITIAL_FORMS": "0",
            "license_keys-0-key": " ox-sup-new-0001 ", "license_keys-0-kind": "support", "license_keys-0-is_active": "on",
            "license_keys-1-key": "OX-LIC-NEW-0002", "license_keys-1-kind": "license", "license_keys-1-is_active": "on",
            "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
        })
        assert response.status_code == 302, response.content.decode()[:2000]
        organisation = Organisation.objects.get(name="New Telco")
        assert sorted(organisation.license_keys.values_list("key", flat=True)) == ["OX-LIC-NEW-0002", "OX-SUP-NEW-0001"]
        assert list(organisation.product_groups.all()) == [on_premise]

    def test_the_change_page_shows_keys_and_members(self, staff_client, organisation, customer):
        page = staff_client.get(reverse("admin:accounts_organisation_change", args=[organisation.pk])).content.decode()
        assert 'value="OX-SUP-ACME-0001"' in page
        assert "alice@acme.example" in page

    def test_organisations_are_found_by_license_key(self, staff_client, organisation, other_organisation):
        response = staff_client.get(reverse("admin:accounts_organisation_changelist"), {"q": "OX-SUP-OTHER"})
        assert list(response.context["cl"].result_list) == [other_organisation]


class TestTicketTypes:
    def form_data(self, ticket_type: TicketType, **policies: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": ticket_type.name, "slug": ticket_type.slug, "description": ticket_type.description,
            "position": ticket_type.position, "is_active": "on",
            "product_groups": list(ticket_type.product_groups.values_list("pk", flat=True)),
            "license_key_must_match_organisation": "on",
        }
        for name in POLICY_FIELDS:
            data[f"policy_{name}"] = policies.get(name, ticket_type.policy(name).value)
        return data

    def test_the_change_page_has_one_select_per_template_field(self, staff_client, incident):
        page = staff_client.get(reverse("admin:tickets_tickettype_change", args=[incident.pk])).content.decode()
        for name in POLICY_FIELDS:
            assert f'name="policy_{name}"' in page, name
        assert '<option value="required" selected>' in page

    def test_editing_the_policy_saves_the_json_and_changes_the_customer_form(self, staff_client, client, incident, customer):
        url = reverse("admin:tickets_tickettype_change", args=[incident.pk])
        response = staff_client.post(url, self.form_data(incident, server="hidden", track_id="required"))
        assert response.status_code == 302, response.content.decode()[:3000]
        incident.refresh_from_db()
        assert incident.field_policy["server"] == "hidden"
        assert incident.field_policy["track_id"] == "required"
        assert incident.field_policy["license_key"] == "required"
        assert set(incident.field_policy) == set(POLICY_FIELDS)
        client.force_login(customer)
        page = client.get(reverse("tickets:create", args=["incident"])).content.decode()
        assert 'name="server"' not in page
        assert 'name="track_id" maxlength="100" aria-required="true"' in page

    def test_a_new_type_can_be_added(self, staff_client, on_premise):
        data = {
            "name": "Security Report", "slug": "security-report", "description": "Report a vulnerability.",
            "position": 20, "is_active": "on", "product_groups": [on_premise.pk],
        }
        data.update({f"policy_{name}": "optional" for name in POLICY_FIELDS})
        assert staff_client.get(reverse("admin:tickets_tickettype_add")).status_code == 200
        assert staff_client.post(reverse("admin:tickets_tickettype_add"), data).status_code == 302
        created = TicketType.objects.get(slug="security-report")
        assert created.policy("description") == "optional"
        assert not created.license_key_must_match_organisation


class TestPlatformsAndAccountRequests:
    def test_a_platform_added_by_staff_is_offered_on_the_form(self, staff_client, client, customer):
        response = staff_client.post(reverse("admin:tickets_platform_add"), {"name": "Alpine 3", "position": 99, "is_active": "on"})
        assert response.status_code == 302
        assert "Alpine 3" in staff_client.get(reverse("admin:tickets_platform_changelist")).content.decode()
        client.force_login(customer)
        assert '<option value="Alpine 3">' in client.get(reverse("tickets:create", args=["incident"])).content.decode()

    def test_a_platform_switched_off_is_no_longer_offered(self, client, customer):
        Platform.objects.filter(name="Debian 12").update(is_active=False)
        client.force_login(customer)
        page = client.get(reverse("tickets:create", args=["incident"])).content.decode()
        assert '<option value="Debian 12">' not in page and '<option value="Debian 11">' in page

    def test_account_requests_are_listed_with_the_organisation_of_their_key(self, staff_client, organisation):
        AccountRequest.objects.create(name="Carla", email="carla@acme.example", company="Acme", license_key="OX-SUP-ACME-0001")
        response = staff_client.get(reverse("admin:accounts_accountrequest_changelist"))
        page = response.content.decode()
        assert "carla@acme.example" in page and "Acme Mail AG" in page
        actions = [value for value, _label in response.context["action_form"].fields["action"].choices]
        assert {"approve", "reject"} <= set(actions)
