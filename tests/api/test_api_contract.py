"""The served OpenAPI document: the docs page works offline, and schemathesis finds no 5xx and no
response that breaks the document."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import issue_token
from tickets.models import Submission
from tickets.services import create_submission
from tickets.validation import validate_submission

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_served_without_a_token(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/api/v1/ticket-types", "/api/v1/submissions", "/api/v1/submissions/{reference}"}
    create = document["paths"]["/api/v1/submissions"]["post"]
    assert create["operationId"] == "createSubmission"
    assert {"200", "201", "400", "401", "403", "413", "429"} <= set(create["responses"])
    assert document["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_loads_every_asset_from_our_own_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        # collectstatic (and whitenoise) will serve exactly what the finders find.
        assert finders.find(asset.removeprefix("/static/")), asset


# Fetched from the running app (WSGI), so the document under test is the one clients download.
# (schemathesis.pytest.from_fixture does not work with pytest 9, hence loading at collection time.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(
    case: Any, customer: Any, django_settings: Any, stored: Any, test_transaction_survives_requests: None
) -> None:
    secret = issue_token(customer, "schemathesis").secret
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )


@pytest.fixture
def stored(customer: Any, incident: Any, incident_values: dict[str, Any]) -> None:
    """Submissions to list and read: OXP-000001 (the documented example) forwarded, another queued."""
    values = {**incident_values, "tested_at": "2026-03-14T10:40:00+01:00"}
    for reference, number in (("OXP-000001", "31042"), ("OXP-000002", "")):
        result = validate_submission(ticket_type=incident, user=customer, values=values)
        submission = create_submission(user=customer, ticket_type=incident, result=result, channel="api")
        Submission.objects.filter(pk=submission.pk).update(
            reference=reference, zammad_ticket_number=number, zammad_state="open" if number else "",
            status="forwarded" if number else "queued")


@pytest.fixture
def test_transaction_survives_requests() -> Any:
    """Do what Django's test client does: a finished WSGI request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def django_settings(settings: Any) -> Any:
    # Enough room for every generated request; the limit itself is tested elsewhere.
    settings.API_RATE_LIMIT = "100000/minute"
    return settings
