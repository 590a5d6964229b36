"""Where messages come from: standard input (an MTA pipe), an mbox file, a Maildir, an IMAP mailbox."""

from __future__ import annotations

import imaplib
import logging
import mailbox
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

logger = logging.getLogger(__name__)
READ_CHUNK = 1024 * 1024
IMAP_TIMEOUT_SECONDS = 60
IMAP_SETTINGS = ("MAILIN_IMAP_HOST", "MAILIN_IMAP_USER", "MAILIN_IMAP_PASSWORD", "MAILIN_IMAP_PROCESSED_FOLDER")


class ImapError(Exception):
    """The mailbox refused a command; the message says which."""


@dataclass(frozen=True)
class Incoming:
    raw: bytes
    truncated: bool
    key: str = ""  # the message's id in its mailbox (Maildir key, IMAP UID)


def limit_bytes(raw: bytes) -> Incoming:
    limit = settings.MAILIN_MAX_MESSAGE_BYTES
    return Incoming(raw[:limit], truncated=len(raw) > limit)


def read_stream(stream: BinaryIO) -> Incoming:
    """Read one message, keeping at most the size limit; the rest is read and dropped."""
    limit = settings.MAILIN_MAX_MESSAGE_BYTES
    raw = stream.read(limit + 1)
    truncated = len(raw) > limit
    if truncated:
        while stream.read(READ_CHUNK):
            pass  # an MTA pipe must be read to its end, or the MTA reports a failure
    return Incoming(raw[:limit], truncated)


def mbox_messages(path: str) -> Iterator[Incoming]:
    """Every message of an mbox file, read one at a time; a missing file fails here, not later."""
    box = mailbox.mbox(path, create=False)
    return (limit_bytes(box.get_bytes(key)) for key in box.iterkeys())


def maildir_messages(path: str) -> Iterator[Incoming]:
    """New (unseen) messages of a Maildir; `mark_maildir_done` moves one to cur/ as seen."""
    box = mailbox.Maildir(path, factory=None, create=False)
    return (_maildir_message(box, key) for key in box.iterkeys() if not _seen(box, key))


def _maildir_message(box: mailbox.Maildir, key: str) -> Incoming:
    limited = limit_bytes(box.get_bytes(key))
    return Incoming(limited.raw, limited.truncated, key)


def _seen(box: mailbox.Maildir, key: str) -> bool:
    message = box.get_message(key)
    return message.get_subdir() == "cur" and "S" in message.get_flags()


def mark_maildir_done(path: str, key: str) -> None:
    box = mailbox.Maildir(path, factory=None, create=False)
    message = box.get_message(key)
    message.set_subdir("cur")
    message.add_flag("S")
    box[key] = message


def missing_imap_settings() -> list[str]:
    return [name for name in IMAP_SETTINGS if not getattr(settings, name, "")]


@contextmanager
def imap_mailbox() -> Iterator[imaplib.IMAP4]:
    connection = imaplib.IMAP4_SSL(
        settings.MAILIN_IMAP_HOST,
        settings.MAILIN_IMAP_PORT,
        ssl_context=ssl.create_default_context(),
        timeout=IMAP_TIMEOUT_SECONDS,
    )
    try:
        _ok(connection.login(settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD), "LOGIN")
        _ok(connection.select(_quote(settings.MAILIN_IMAP_FOLDER)), f"SELECT {settings.MAILIN_IMAP_FOLDER}")
        yield connection
        connection.expunge()
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def imap_messages(connection: imaplib.IMAP4) -> Iterator[Incoming]:
    status, data = connection.uid("SEARCH", None, "ALL")
    _ok((status, data), "SEARCH")
    limit = settings.MAILIN_MAX_MESSAGE_BYTES
    for uid in (data[0] or b"").split():
        # A partial fetch: a huge message is never read beyond the limit.
        status, fetched = connection.uid("FETCH", uid, f"(BODY.PEEK[]<0.{limit + 1}>)")
        raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
        if status != "OK" or raw is None:
            logger.warning("IMAP FETCH of UID %s failed: %s", uid, status)
            continue
        yield Incoming(raw[:limit], truncated=len(raw) > limit, key=uid.decode())


def imap_move_done(connection: imaplib.IMAP4, uid: str) -> None:
    folder = _quote(settings.MAILIN_IMAP_PROCESSED_FOLDER)
    try:
        connection.create(folder)  # answers NO when the folder exists
    except imaplib.IMAP4.error:
        pass
    if b"MOVE" in {c.upper() for c in _capabilities(connection)}:
        _ok(connection.uid("MOVE", uid, folder), "MOVE")
        return
    _ok(connection.uid("COPY", uid, folder), "COPY")
    _ok(connection.uid("STORE", uid, "+FLAGS", r"(\Deleted)"), "STORE")


def _capabilities(connection: imaplib.IMAP4) -> set[bytes]:
    return {c if isinstance(c, bytes) else c.encode() for c in connection.capabilities}


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(response: tuple[str, list[object]], command: str) -> None:
    status, data = response
    if status != "OK":
        raise ImapError(f"IMAP {command} failed: {status} {data!r}"[:300])
