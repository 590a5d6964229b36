"""Helpers for the mail channel tests: the sample corpus and reading the replies sent."""

from __future__ import annotations

from pathlib import Path

from django.core import mail

MESSAGES = Path(__file__).parent / "messages"


def eml(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def only_reply() -> mail.EmailMessage:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def build_mail(body: str, *, sender: str = "alice@acme.example", subject: str = "Test", message_id: str = "<t-1@acme.example>",
               headers: str = "") -> bytes:
    """A plain-text message, for tests that vary one thing at a time."""
    head = f"From: {sender}\nTo: support@example.com\nSubject: {subject}\nMessage-ID: {message_id}\n{headers}"
    return f"{head}Content-Type: text/plain; charset=utf-8\n\n{body}".encode()
