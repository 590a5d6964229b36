"""Automatic replies of the mail channel, capped per recipient so two auto-responders cannot loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mailin.completion import tagged_subject
from mailin.models import InboundMessage, ReplyLog
from mailin.parser import Envelope

logger = logging.getLogger(__name__)
REPLY_WINDOW = timedelta(hours=1)
SUBJECT_LIMIT = 250


@dataclass
class Reply:
    """What to answer: `kind` names the template, mailin/reply_<kind>.txt."""

    kind: str
    context: dict[str, Any] = field(default_factory=dict)


def own_addresses() -> set[str]:
    """Addresses the portal sends from or receives on; mail from them is never a customer's."""
    addresses = {address.strip().lower() for address in settings.MAILIN_SUPPORT_ADDRESSES}
    addresses.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return {address for address in addresses if address}


def send_reply(inbound: InboundMessage, envelope: Envelope, reply: Reply) -> str:
    """Send the reply unless it must not be sent; return the InboundMessage.ReplyStatus to record."""
    status = InboundMessage.ReplyStatus
    if envelope.automatic or envelope.no_reply:
        return status.SUPPRESSED
    recipient = envelope.sender
    if not recipient or recipient in own_addresses():
        return status.NONE
    if _over_limit(recipient):
        logger.warning("Reply limit reached for %s; not answering %s", recipient, inbound.message_id)
        return status.RATE_LIMITED
    message = _build(envelope, reply)
    try:
        message.send()
    except Exception:  # SMTP refused or unreachable: the mail is stored, only the answer is missing
        logger.exception("Could not send the %s reply for %s", reply.kind, inbound.message_id)
        return status.FAILED
    ReplyLog.objects.create(recipient=recipient, kind=reply.kind, inbound=inbound)
    return status.SENT


def _over_limit(recipient: str) -> bool:
    since = timezone.now() - REPLY_WINDOW
    sent = ReplyLog.objects.filter(recipient=recipient, sent_at__gte=since).count()
    return sent >= settings.MAILIN_REPLY_LIMIT_PER_HOUR


def _build(envelope: Envelope, reply: Reply) -> EmailMessage:
    context = {"sender": envelope.sender, "original_subject": envelope.subject, **reply.context}
    body = render_to_string(f"mailin/reply_{reply.kind}.txt", context)
    original = envelope.subject or _("your message to OX support")
    subject = f"Re: {original}"
    submission = reply.context.get("submission")
    if submission is not None and submission.reference:
        # The reference lets an answer to this reply complete the same submission (mailin.completion).
        subject = tagged_subject(subject, submission.reference, SUBJECT_LIMIT)
    headers = {
        # RFC 3834: mark the answer as automatic, so well-behaved systems do not answer it.
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "Precedence": "auto_reply",
    }
    if not envelope.synthetic_id:
        headers["In-Reply-To"] = envelope.message_id
        headers["References"] = envelope.references or envelope.message_id
    reply_to = list(settings.MAILIN_SUPPORT_ADDRESSES[:1])
    return EmailMessage(
        subject=subject[:SUBJECT_LIMIT],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[envelope.sender],
        reply_to=reply_to or None,
        headers=headers,
    )
