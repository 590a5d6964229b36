"""Take mail for the helpdesk: one message on standard input (an MTA pipe), or an mbox, a Maildir or an IMAP mailbox.

Exit status follows MTA conventions: 0 when every message was taken (stored, and answered where
needed), 75 (EX_TEMPFAIL) when one could not be stored, so the MTA keeps it and retries.
"""

from __future__ import annotations

import imaplib
import logging
import mailbox
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from mailin import sources
from mailin.services import IngestResult, ingest_message
from mailin.sources import Incoming

logger = logging.getLogger(__name__)
EX_TEMPFAIL = 75


class TemporaryFailure(Exception):
    """A message could not be stored; it must stay where it is and be offered again."""


class Command(BaseCommand):
    help = __doc__
    # Tests hand a byte stream in place of the process's standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--mbox", metavar="PATH", help="Ingest every message of this mbox file.")
        source.add_argument(
            "--maildir", metavar="PATH", help="Ingest the new messages of this Maildir and mark them seen."
        )
        source.add_argument(
            "--imap", action="store_true",
            help="Poll the IMAP mailbox from the MAILIN_IMAP_* settings; processed mail is moved away.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["imap"]:
            missing = sources.missing_imap_settings()
            if missing:
                raise CommandError(f"--imap needs these settings in the environment: {', '.join(missing)}")
            self._run_imap()
        elif options["mbox"]:
            self._run_batch(self._open(sources.mbox_messages, options["mbox"]))
        elif options["maildir"]:
            path = options["maildir"]
            self._run_batch(
                self._open(sources.maildir_messages, path), done=lambda key: sources.mark_maildir_done(path, key)
            )
        else:
            stream: BinaryIO = options.get("stdin") or sys.stdin.buffer
            try:
                self._take(sources.read_stream(stream))
            except TemporaryFailure:
                sys.exit(EX_TEMPFAIL)

    def _take(self, incoming: Incoming) -> IngestResult:
        try:
            result = ingest_message(incoming.raw, truncated=incoming.truncated)
        except DatabaseError as exc:
            self.stderr.write(f"Temporary failure, message not stored: {exc.__class__.__name__}")
            logger.error("Message not stored (database unavailable): %s", exc.__class__.__name__)
            raise TemporaryFailure from exc
        except Exception as exc:  # whatever else stops storing: the MTA keeps the mail and retries
            logger.exception("Message not stored")
            raise TemporaryFailure from exc
        self.stdout.write(str(result))
        return result

    def _open(self, reader: Callable[[str], Iterable[Incoming]], path: str) -> Iterable[Incoming]:
        try:
            return reader(path)
        except (OSError, mailbox.Error) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc

    def _run_batch(self, messages: Iterable[Incoming], done: Callable[[str], None] | None = None) -> None:
        outcomes: Counter[str] = Counter()
        for incoming in messages:
            try:
                outcomes[self._take(incoming).outcome] += 1
            except TemporaryFailure:
                self._summary(outcomes)
                sys.exit(EX_TEMPFAIL)
            if done is not None:
                done(incoming.key)
        self._summary(outcomes)

    def _run_imap(self) -> None:
        try:
            with sources.imap_mailbox() as connection:
                self._run_batch(
                    sources.imap_messages(connection), done=lambda uid: sources.imap_move_done(connection, uid)
                )
        except (sources.ImapError, imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(f"IMAP mailbox {settings.MAILIN_IMAP_HOST}: {exc}") from exc

    def _summary(self, outcomes: Counter[str]) -> None:
        total = sum(outcomes.values())
        details = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"{total} message(s) taken" + (f": {details}" if details else ""))

