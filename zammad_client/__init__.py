"""Standalone Zammad REST client (pure requests, no Django).

Usage::

    from zammad_client import ZammadClient, ZammadUnavailable

    client = ZammadClient("https://zammad.example", token="...")
    ticket = client.create_ticket({...}, on_behalf_of="customer@example.com")
"""

from __future__ import annotations

from .client import ZammadClient
from .errors import ZammadBadResponse, ZammadError, ZammadRejected, ZammadUnavailable
from .models import NamedItem, Ticket, TicketAttribute, User

__all__ = [
    "NamedItem",
    "Ticket",
    "TicketAttribute",
    "User",
    "ZammadBadResponse",
    "ZammadClient",
    "ZammadError",
    "ZammadRejected",
    "ZammadUnavailable",
]
