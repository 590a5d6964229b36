"""Create, check and revoke API tokens.

A token is `oxp_` followed by 43 random URL-safe characters (256 bits). With that much entropy
a plain SHA-256 is enough to store it: nobody can guess a preimage, and lookups stay one index hit.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from api.models import ApiToken

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "oxp_"
VISIBLE_PREFIX_LENGTH = 8
# Recording every use would write a row per request; once a minute is precise enough to show.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a presented token: the token, or why it was refused."""

    token: ApiToken | None
    failure: str = ""  # "missing", "invalid", "revoked" or "inactive_user"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, name: str) -> IssuedToken:
    """Create a token for the user; the returned secret is the only copy there will ever be."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=secret[: len(TOKEN_PREFIX) + VISIBLE_PREFIX_LENGTH],
        token_hash=hash_secret(secret),
    )
    logger.info("Issued API token %s (%s) for %s", token.pk, token.prefix, user.email)
    return IssuedToken(token=token, secret=secret)


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's tokens; None when it is not theirs or does not exist."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("Revoked API token %s (%s) of %s", token.pk, token.prefix, user.email)
    return token


def check_secret(secret: str) -> TokenCheck:
    """Find the token a request presents and record its use."""
    secret = secret.strip()
    if not secret:
        return TokenCheck(None, "missing")
    token = ApiToken.objects.select_related("user", "user__organisation").filter(token_hash=hash_secret(secret)).first()
    if token is None:
        return TokenCheck(None, "invalid")
    if token.revoked_at is not None:
        return TokenCheck(None, "revoked")
    if not token.user.is_active:
        return TokenCheck(None, "inactive_user")
    _record_use(token)
    return TokenCheck(token)


def _record_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
