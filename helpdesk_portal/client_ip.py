"""The client's address, for login throttling and rate limits, honest behind reverse proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the entry
    that many places from the right is the client; anything further left is client-supplied and
    could be forged to dodge a lockout.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    # None when unknown (a request built in code): django-axes stores it in an IP address column.
    return request.META.get("REMOTE_ADDR") or None
