"""Fixtures of the API tests: a customer's API client and a valid Incident body."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import ApiClient, api_for

from accounts.models import User


@pytest.fixture
def api(customer: User) -> ApiClient:
    return api_for(customer)


@pytest.fixture
def incident_body(incident_values: dict[str, Any]) -> dict[str, Any]:
    return {"ticket_type": "incident", **incident_values, "severity": 2}
