"""`manage.py ingest_email`: standard input, mbox, Maildir and IMAP, with MTA exit codes."""

from __future__ import annotations

import io
import mailbox
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from mailin_helpers import eml

from mailin.models import InboundMessage
from tickets.models import Submission

pytestmark = pytest.mark.django_db
EX_TEMPFAIL = 75


def run(*args: str, stdin: bytes | None = None) -> str:
    out = io.StringIO()
    options: dict[str, Any] = {"stdout": out, "stderr": io.StringIO()}
    if stdin is not None:
        options["stdin"] = io.BytesIO(stdin)
    call_command("ingest_email", *args, **options)
    return out.getvalue()


def test_it_takes_one_message_from_standard_input(customer: Any) -> None:
    output = run(stdin=eml("complete.eml"))
    assert output == f"accepted <complete-1@acme.example> {Submission.objects.get().reference}\n"


def test_it_takes_a_message_the_way_postfix_pipes_it(customer: Any) -> None:
    # Postfix local(8) prepends a "From " envelope line and its own headers.
    piped = b"From alice@acme.example  Sat Nov 30 10:05:01 2024\nDelivered-To: support@example.com\n" + eml(
        "complete.eml"
    )
    assert run(stdin=piped).startswith("accepted <complete-1@acme.example> ")


def test_it_asks_the_mta_to_retry_when_the_database_is_down(monkeypatch: Any, customer: Any) -> None:
    monkeypatch.setattr("mailin.services._store", _database_down)
    with pytest.raises(SystemExit) as exit_info:
        run(stdin=eml("complete.eml"))
    assert exit_info.value.code == EX_TEMPFAIL


def _database_down(*args: Any) -> None:
    raise OperationalError("could not connect to server")


def test_it_reads_every_message_of_an_mbox_and_can_run_again(tmp_path: Any, customer: Any) -> None:
    box = mailbox.mbox(tmp_path / "mail.mbox")
    for name in ("complete.eml", "auto_reply.eml", "unknown_sender.eml"):
        box.add(eml(name))
    box.close()

    first = run("--mbox", str(tmp_path / "mail.mbox"))
    second = run("--mbox", str(tmp_path / "mail.mbox"))

    assert first.endswith("3 message(s) taken: 1 accepted, 1 ignored_auto, 1 unknown_sender\n")
    assert second.endswith("3 message(s) taken: 3 duplicate\n")
    assert InboundMessage.objects.count() == 3


def test_it_reads_new_maildir_messages_and_marks_them_seen(tmp_path: Any, customer: Any) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(eml("complete.eml"))
    box.add(eml("sloppy.eml"))

    assert run("--maildir", str(tmp_path / "Maildir")).endswith("2 message(s) taken: 2 accepted\n")
    assert run("--maildir", str(tmp_path / "Maildir")) == "0 message(s) taken\n"
    assert [m.get_subdir() for m in box] == ["cur", "cur"]


def test_a_missing_mbox_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run("--mbox", str(tmp_path / "nothing.mbox"))


class FakeImap:
    """Just enough of imaplib.IMAP4_SSL: a folder of messages by UID."""

    instances: list[FakeImap] = []

    def __init__(self, host: str, port: int, **kwargs: Any) -> None:
        self.host, self.port = host, port
        self.messages = {b"7": eml("complete.eml"), b"8": eml("bounce.eml")}
        self.moved: list[tuple[str, str]] = []
        self.capabilities = ("IMAP4REV1", "MOVE")
        self.logged_in: tuple[str, str] | None = None
        FakeImap.instances.append(self)

    def login(self, user: str, password: str) -> tuple[str, list[bytes]]:
        self.logged_in = (user, password)
        return "OK", [b"logged in"]

    def select(self, folder: str) -> tuple[str, list[bytes]]:
        return ("OK", [b"2"]) if folder == '"INBOX"' else ("NO", [b"no such folder"])

    def create(self, folder: str) -> tuple[str, list[bytes]]:
        return "NO", [b"exists"]

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        if command == "SEARCH":
            return "OK", [b" ".join(self.messages)]
        if command == "FETCH":
            uid = args[0]
            return "OK", [(b"%s (UID %s BODY[]<0> {1}" % (uid, uid), self.messages[uid]), b")"]
        if command == "MOVE":
            self.moved.append((args[0], args[1]))
            return "OK", [b""]
        raise AssertionError(command)

    def expunge(self) -> tuple[str, list[bytes]]:
        return "OK", [b""]

    def logout(self) -> tuple[str, list[bytes]]:
        return "BYE", [b""]


@pytest.fixture
def imap(settings: Any, monkeypatch: Any) -> type[FakeImap]:
    settings.MAILIN_IMAP_HOST = "imap.example.com"
    settings.MAILIN_IMAP_USER = "helpdesk"
    settings.MAILIN_IMAP_PASSWORD = "secret"
    settings.MAILIN_IMAP_FOLDER = "INBOX"
    settings.MAILIN_IMAP_PROCESSED_FOLDER = "Processed"
    FakeImap.instances = []
    monkeypatch.setattr("mailin.sources.imaplib.IMAP4_SSL", FakeImap)
    return FakeImap


def test_it_polls_the_imap_mailbox_and_moves_what_it_took(imap: type[FakeImap], customer: Any) -> None:
    output = run("--imap")

    (connection,) = imap.instances
    assert connection.logged_in == ("helpdesk", "secret")
    assert connection.moved == [("7", '"Processed"'), ("8", '"Processed"')]
    assert output.endswith("2 message(s) taken: 1 accepted, 1 ignored_auto\n")


def test_imap_leaves_the_message_in_place_when_it_cannot_be_stored(
    imap: type[FakeImap], monkeypatch: Any, customer: Any
) -> None:
    monkeypatch.setattr("mailin.services._store", _database_down)
    with pytest.raises(SystemExit) as exit_info:
        run("--imap")
    assert exit_info.value.code == EX_TEMPFAIL
    assert imap.instances[0].moved == []


def test_imap_without_settings_is_a_clear_error(settings: Any) -> None:
    settings.MAILIN_IMAP_HOST = settings.MAILIN_IMAP_USER = settings.MAILIN_IMAP_PASSWORD = ""
    settings.MAILIN_IMAP_PROCESSED_FOLDER = "Processed"
    with pytest.raises(CommandError, match="MAILIN_IMAP_HOST, MAILIN_IMAP_USER, MAILIN_IMAP_PASSWORD"):
        run("--imap")


def test_an_imap_folder_that_does_not_exist_is_a_clear_error(imap: type[FakeImap], settings: Any) -> None:
    settings.MAILIN_IMAP_FOLDER = "Tickets"
    with pytest.raises(CommandError, match='SELECT Tickets failed: NO'):
        run("--imap")
