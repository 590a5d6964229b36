"""`manage.py seed_demo`: demo data for trying the portal, never in production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import LicenseKey, Organisation, User
from tickets.models import TicketType

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_it_creates_the_demo_organisation_key_and_logins_and_prints_them(debug_on):
    output = seed()
    organisation = Organisation.objects.get(name="Demo Mail Operator GmbH")
    assert organisation.is_ox_customer
    assert list(organisation.product_groups.values_list("slug", flat=True)) == ["on-premise"]
    assert list(organisation.license_keys.values_list("key", flat=True)) == ["OX-SUP-DEMO-0001"]
    customer = User.objects.get(email="customer@example.com")
    staff = User.objects.get(email="staff@example.com")
    assert customer.organisation == organisation and not customer.is_staff
    assert staff.is_staff and staff.is_superuser
    assert customer.check_password("demo") and staff.check_password("demo")
    assert "Organisation: Demo Mail Operator GmbH" in output
    assert "License key:  OX-SUP-DEMO-0001" in output
    assert "customer@example.com / demo" in output
    assert "staff@example.com / demo" in output


def test_the_demo_customer_can_log_in_and_open_an_incident(debug_on):
    seed()
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "customer@example.com", "password": "demo"})
    assert response.status_code == 302
    assert TicketType.objects.get(slug="incident") in client.get(reverse("tickets:types")).context["ticket_types"]
    assert client.get(reverse("tickets:create", args=["incident"])).status_code == 200


def test_the_demo_staff_member_reaches_the_admin(debug_on):
    seed()
    client = Client()
    client.post(reverse("accounts:login"), {"username": "staff@example.com", "password": "demo"})
    assert client.get(reverse("admin:index")).status_code == 200


def test_running_it_twice_changes_nothing_and_restores_the_demo_password(debug_on):
    seed()
    customer = User.objects.get(email="customer@example.com")
    customer.set_password("changed-by-someone")
    customer.save()
    second = seed()
    assert "Demo data is ready." in second
    assert Organisation.objects.filter(name="Demo Mail Operator GmbH").count() == 1
    assert LicenseKey.objects.filter(key="OX-SUP-DEMO-0001").count() == 1
    assert User.objects.filter(email__in=["customer@example.com", "staff@example.com"]).count() == 2
    assert User.objects.get(email="customer@example.com").check_password("demo")


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="seed_demo only runs with DEBUG on"):
        seed()
    assert not User.objects.filter(email__in=["customer@example.com", "staff@example.com"]).exists()
    assert not Organisation.objects.filter(name="Demo Mail Operator GmbH").exists()
