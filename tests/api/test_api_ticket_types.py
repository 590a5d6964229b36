"""GET /api/v1/ticket-types: enough to build the form of every type offered to the caller."""

from __future__ import annotations

import pytest
from api_helpers import api_for

from tickets.models import Platform

pytestmark = pytest.mark.django_db


def fields_of(ticket_type: dict) -> dict[str, dict]:
    return {field["name"]: field for field in ticket_type["fields"]}


def test_it_lists_the_types_of_the_callers_product_groups(api):
    slugs = [t["slug"] for t in api.get("/api/v1/ticket-types").json()]
    assert "incident" in slugs and "support-request" in slugs and "organisation-setup" in slugs
    assert "change-request" not in slugs  # cloud only


def test_a_user_without_organisation_gets_only_universal_types(loner):
    slugs = [t["slug"] for t in api_for(loner).get("/api/v1/ticket-types").json()]
    assert "feedback" in slugs and "incident" not in slugs


def test_each_field_has_policy_kind_label_help_and_limits(api):
    incident = next(t for t in api.get("/api/v1/ticket-types").json() if t["slug"] == "incident")
    fields = fields_of(incident)
    assert fields["server"] == {
        "name": "server", "label": "Server", "kind": "url", "policy": "required",
        "help_text": "The address of the affected machine or service, e.g. https://mail.example.com.",
        "max_length": 500, "choices": None,
    }
    assert fields["subject"]["policy"] == "required"
    assert fields["severity_1_confirmed"]["kind"] == "boolean"
    assert "Up to 10 files" in fields["attachments"]["help_text"]


def test_choices_come_with_values_labels_and_severity_definitions(api):
    Platform.objects.create(name="Alpine 3.20", position=99)
    Platform.objects.create(name="Retired OS", is_active=False)
    incident = next(t for t in api.get("/api/v1/ticket-types").json() if t["slug"] == "incident")
    fields = fields_of(incident)
    assert [c["value"] for c in fields["severity"]["choices"]] == [1, 2, 3, 4]
    assert "more than 35% of users cannot work" in fields["severity"]["choices"][0]["definition"]
    assert fields["environment"]["choices"] == [{"value": "Staging", "label": "Staging", "definition": None},
                                                {"value": "Production", "label": "Production", "definition": None}]
    assert {"value": "Multiple", "label": "Multiple users", "definition": None} in fields["end_user_impact"]["choices"]
    platforms = [c["value"] for c in fields["platform"]["choices"]]
    assert "Alpine 3.20" in platforms and "Retired OS" not in platforms


def test_fields_hidden_for_a_type_are_marked_hidden(api):
    feature = next(t for t in api.get("/api/v1/ticket-types").json() if t["slug"] == "feature-request")
    assert fields_of(feature)["server"]["policy"] == "hidden"
    assert fields_of(feature)["severity_1_confirmed"]["policy"] == "hidden"

