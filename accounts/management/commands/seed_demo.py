"""Create a demo organisation and logins for trying the portal (DEBUG only; safe to run twice)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import LicenseKey, Organisation, ProductGroup, User

DEMO_ORGANISATION = "Demo Mail Operator GmbH"
DEMO_LICENSE_KEY = "OX-SUP-DEMO-0001"
DEMO_PASSWORD = "demo"
CUSTOMER_EMAIL = "customer@example.com"
STAFF_EMAIL = "staff@example.com"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates logins with the password 'demo'.")
        with transaction.atomic():
            organisation, _ = Organisation.objects.get_or_create(
                name=DEMO_ORGANISATION, defaults={"sla_level": Organisation.SLALevel.PREMIUM, "is_ox_customer": True}
            )
            organisation.product_groups.add(ProductGroup.objects.get(slug="on-premise"))
            LicenseKey.objects.get_or_create(
                key=DEMO_LICENSE_KEY, defaults={"organisation": organisation, "kind": LicenseKey.Kind.SUPPORT}
            )
            customer = self._user(CUSTOMER_EMAIL, first_name="Dana", last_name="Demo", organisation=organisation)
            staff = self._user(STAFF_EMAIL, first_name="Sam", last_name="Staff", is_staff=True, is_superuser=True)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"  Organisation: {organisation.name} (registered on-premise customer)")
        self.stdout.write(f"  License key:  {DEMO_LICENSE_KEY}")
        self.stdout.write(f"  Customer:     {customer.email} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Staff:        {staff.email} / {DEMO_PASSWORD}  (admin at /admin/)")

    def _user(self, email: str, **fields: Any) -> User:
        user = User.objects.get_by_email(email) or User(email=email)
        for name, value in fields.items():
            setattr(user, name, value)
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
