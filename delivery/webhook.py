"""Zammad webhook calls (zammad-api.md §7): check the signature, drop redeliveries, store the state."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.models import WebhookDelivery
from tickets.models import Submission


class WebhookPayloadError(ValueError):
    """The body is not a Zammad ticket payload; the message says what is wrong."""


def signature_is_valid(body: bytes, header: str | None, secret: str) -> bool:
    """X-Hub-Signature is "sha1=" + HMAC-SHA1(secret, raw body), compared in constant time."""
    if not header or not secret:
        return False
    expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return hmac.compare_digest(header.strip().encode(), expected.encode())


def apply_webhook(body: bytes, delivery_id: str) -> str:
    """Store the ticket's state on its submission; "duplicate" when this delivery was seen before."""
    ticket_id, state = parse_ticket(body)
    delivery_id = delivery_id.strip()[:100]
    now = timezone.now()
    with transaction.atomic():
        if delivery_id:
            try:
                with transaction.atomic():
                    WebhookDelivery.objects.create(delivery_id=delivery_id, zammad_ticket_id=ticket_id)
            except IntegrityError:
                return "duplicate"
        updated = Submission.objects.filter(zammad_ticket_id=ticket_id).update(
            zammad_state=state[:60], zammad_state_updated_at=now, updated_at=now
        )
    return "updated" if updated else "unknown ticket"


def parse_ticket(body: bytes) -> tuple[int, str]:
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookPayloadError(_("The body is not JSON.")) from None
    ticket = data.get("ticket") if isinstance(data, dict) else None
    if not isinstance(ticket, dict):
        raise WebhookPayloadError(_("The body has no “ticket” object."))
    ticket_id = ticket.get("id")
    if isinstance(ticket_id, str) and ticket_id.isdigit():
        ticket_id = int(ticket_id)
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool) or ticket_id <= 0:
        raise WebhookPayloadError(_("The ticket has no valid “id”."))
    state = ticket.get("state")
    if isinstance(state, dict):  # a custom payload may nest it like priority and group
        state = state.get("name")
    if not isinstance(state, str) or not state.strip():
        raise WebhookPayloadError(_("The ticket has no “state” name."))
    return ticket_id, state.strip()
