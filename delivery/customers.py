"""Find or create the submitter's Zammad user, once per email, even when deliveries run in parallel."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from delivery.models import ZammadCustomer
from zammad_client import ZammadClient, ZammadRejected, ZammadUnavailable

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
# How soon a delivery waiting for another one's customer creation tries again.
BUSY_RETRY_SECONDS = 2.0


class CustomerBusy(ZammadUnavailable):
    """Another delivery is creating this customer in Zammad right now; try again shortly."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"Another delivery is creating the Zammad user for {email}; trying again shortly.",
            ambiguous=False,
            retry_after=BUSY_RETRY_SECONDS,
        )


def resolve_customer(client: ZammadClient, user: User) -> int | str:
    """The Zammad user id of `user`, found by email or created; at most one creator per email."""
    email = user.email.strip().lower()
    record, _created = ZammadCustomer.objects.get_or_create(email=email)
    if record.zammad_user_id:
        return record.zammad_user_id
    if not _claim(record):
        record.refresh_from_db()
        if record.zammad_user_id:
            return record.zammad_user_id
        raise CustomerBusy(email)
    try:
        zammad_user = client.find_user_by_email(email) or client.create_user(
            email=email, firstname=user.first_name, lastname=user.last_name
        )
    except ZammadRejected as exc:
        if "already used" not in exc.message:
            raise
        # The user exists but the search did not show it (Elasticsearch indexes late, §5.2):
        # `guess:` finds it by a database lookup, which is safe for an existing user.
        logger.info("Zammad user for %s exists but was not found by search; using guess:", email)
        return f"guess:{email}"
    finally:
        ZammadCustomer.objects.filter(pk=record.pk).update(claimed_until=None)
    ZammadCustomer.objects.filter(pk=record.pk).update(zammad_user_id=zammad_user.id)
    return zammad_user.id


def _claim(record: ZammadCustomer) -> bool:
    """One atomic conditional UPDATE: only one delivery at a time may create this customer."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    until = now + timedelta(seconds=settings.ZAMMAD_LEASE_SECONDS)
    return bool(
        ZammadCustomer.objects.filter(free, pk=record.pk, zammad_user_id__isnull=True).update(claimed_until=until)
    )


def is_remembered(email: str) -> bool:
    """True when the Zammad user id comes from our own record rather than a fresh lookup."""
    return ZammadCustomer.objects.filter(email=email.strip().lower(), zammad_user_id__isnull=False).exists()


def forget_customer(email: str) -> None:
    """Drop a cached Zammad user id (e.g. after that user was deleted in Zammad)."""
    ZammadCustomer.objects.filter(email=email.strip().lower()).delete()
