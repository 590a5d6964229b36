"""Shared fixtures: organisations, customers and a complete Incident as every channel would send it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import LicenseKey, Organisation, ProductGroup, User
from tickets.models import TicketType


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    settings.ZAMMAD_URL = ""
    settings.ZAMMAD_TOKEN = ""
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()


@pytest.fixture
def on_premise() -> ProductGroup:
    return ProductGroup.objects.get(slug="on-premise")


@pytest.fixture
def organisation(on_premise: ProductGroup) -> Organisation:
    org = Organisation.objects.create(name="Acme Mail AG", is_ox_customer=True)
    org.product_groups.add(on_premise)
    LicenseKey.objects.create(organisation=org, key="OX-SUP-ACME-0001")
    return org


@pytest.fixture
def other_organisation(on_premise: ProductGroup) -> Organisation:
    org = Organisation.objects.create(name="Other Telco SA", is_ox_customer=True)
    org.product_groups.add(on_premise)
    LicenseKey.objects.create(organisation=org, key="OX-SUP-OTHER-0002")
    return org


@pytest.fixture
def customer(organisation: Organisation) -> User:
    return User.objects.create_user("alice@acme.example", "pw-alice-123", organisation=organisation, first_name="Alice")


@pytest.fixture
def colleague(organisation: Organisation) -> User:
    return User.objects.create_user("bob@acme.example", "pw-bob-123", organisation=organisation)


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    return User.objects.create_user("eve@other.example", "pw-eve-123", organisation=other_organisation)


@pytest.fixture
def loner() -> User:
    return User.objects.create_user("solo@nowhere.example", "pw-solo-123")


@pytest.fixture
def staff_user() -> User:
    return User.objects.create_user("staff@ox.example", "pw-staff-123", is_staff=True, is_superuser=True)


@pytest.fixture
def incident() -> TicketType:
    return TicketType.objects.get(slug="incident")


@pytest.fixture
def incident_values() -> dict[str, Any]:
    """A complete, valid Incident in the raw form every channel hands to the validation core."""
    tested = timezone.now() - timedelta(hours=1)
    return {
        "subject": "IMAP logins fail for all users",
        "license_key": "ox-sup-acme-0001",
        "server": "https://mail.acme.example",
        "server_version": "8.22.0",
        "platform": "Debian 12",
        "environment": "Production",
        "gui_version": "8.22.1",
        "severity": "2",
        "end_user_impact": "All",
        "track_id": "ACME-4711",
        "recent_changes": "None in the last 24 hours",
        "description": "Since 10:40 no user can log in via IMAP.",
        "steps_to_reproduce": "1. Open Thunderbird\n2. Log in\n3. See the error",
        "client": "Thunderbird 128",
        "tested_at": tested.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "current_behaviour": "AUTHENTICATE fails with NO [UNAVAILABLE]",
        "expected_behaviour": "Login succeeds",
        "test_account": "test01@acme.example",
    }
