"""Reading the template and the headers of a mail, without the database."""

from __future__ import annotations

import pytest
from mailin_helpers import build_mail, eml

from mailin.parser import clean_subject, html_to_text, parse_bytes, read_body, read_envelope
from mailin.template import extract_values, split_label_line


@pytest.mark.parametrize(
    "line",
    [
        "End-User-Impact: All",
        "end user impact - All",
        "END USER IMPACT:All",
        "* End-User-Impact: All",
        "- End user impact – All",
        "• end-user impact = All",
        "  **End-User-Impact:** All",
        "Impact: All",
    ],
)
def test_it_recognises_a_label_however_it_is_spelled(line: str) -> None:
    assert split_label_line(line) == ("end_user_impact", "All")


def test_it_maps_the_templates_long_recent_changes_line() -> None:
    line = (
        "Date/time of last changes to configuration or installing updates (with description) or any other "
        "changes that were done within at least the last 24 hours: 2024-11-29 18:00 CET kernel update"
    )
    assert split_label_line(line) == ("recent_changes", "2024-11-29 18:00 CET kernel update")


@pytest.mark.parametrize("line", ["Steps taken so far: none", "The user wrote: hello", "https://mail.example.com"])
def test_it_does_not_take_ordinary_text_for_a_label(line: str) -> None:
    assert split_label_line(line) is None


def test_a_free_text_value_runs_until_the_next_label() -> None:
    values = extract_values("Issue Description:\nLine one\n\nLine two: still the description\nSeverity: 3\n")
    assert values == {"description": "Line one\n\nLine two: still the description", "severity": "3"}


def test_a_one_line_value_may_stand_on_the_line_after_its_label() -> None:
    assert extract_values("Track-ID:\n  ACME-1\nnot part of it\nSeverity: 4") == {"track_id": "ACME-1", "severity": "4"}


def test_it_leaves_out_quotes_signatures_and_closings() -> None:
    text = (
        "Server: https://new.example\n> Severity: 1\nIssue Description: broken\n\nBest regards, Alice\n"
        "Expected behaviour: never read\n"
    )
    assert extract_values(text) == {"server": "https://new.example", "description": "broken"}
    assert extract_values("Severity: 3\n-- \nSeverity: 1\nTrack-ID: sig") == {"severity": "3"}


@pytest.mark.parametrize(
    "quote_header",
    [
        "On Sat, 30 Nov 2024 at 10:00, Bob <bob@acme.example> wrote:",
        "On Sat, 30 Nov 2024 at 10:00, Bob\n<bob@acme.example> wrote:",
        "Am 30.11.2024 um 10:00 schrieb Bob:",
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "________________________________\nFrom: Bob\nSent: Saturday",
        "From: Bob <bob@acme.example>\nSent: Saturday, November 30, 2024 10:00",
    ],
)
def test_it_stops_reading_at_a_quoted_reply(quote_header: str) -> None:
    text = f"Severity: 3\n\n{quote_header}\nServer: https://old.example\nSeverity: 1\n"
    assert extract_values(text) == {"severity": "3"}


def test_the_templates_hint_text_counts_as_empty_but_the_example_key_is_passed_on() -> None:
    values = extract_values(
        "License Key: OX-SUPPORT-OR-LICENSE-KEY-XXX\nServer: url of the machine\nEnvironment: Staging or Production\n"
        "Severity: 4, 3, 2, 1 (see description of Severity Levels)\nIssue Description: it breaks"
    )
    # The core has its own message for the example key, so it is handed on as written.
    assert values == {"license_key": "OX-SUPPORT-OR-LICENSE-KEY-XXX", "description": "it breaks"}


def test_a_mail_without_any_label_becomes_the_description() -> None:
    assert extract_values("Hello,\n\nplease call me back.\n\nThanks,\nSam") == {
        "description": "Hello,\n\nplease call me back."
    }


def test_a_forwarded_template_is_read_when_the_sender_wrote_none_above_it() -> None:
    values = extract_values(read_body(parse_bytes(eml("forwarded.eml"))).text)
    assert values["server"] == "https://push.acme.example"
    assert "Bob Ops" not in str(values)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [("Re: Fwd: AW: WG: calendar", "calendar"), ("RE:  RE: x  y", "x y"), ("Re[2]: x", "x"), ("Regarding x", "Regarding x")],
)
def test_it_strips_reply_and_forward_prefixes_from_the_subject(subject: str, expected: str) -> None:
    assert clean_subject(subject) == expected


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-generated\n",
        "Auto-Submitted: auto-replied\n",
        "Return-Path: <>\n",
        "Precedence: bulk\n",
        "Precedence: junk\n",
        "X-Autoreply: yes\n",
    ],
)
def test_it_recognises_machine_mail(headers: str) -> None:
    raw = build_mail("Severity: 3", headers=headers)
    assert read_envelope(parse_bytes(raw), raw).automatic


def test_mail_from_the_mailer_daemon_is_machine_mail() -> None:
    raw = build_mail("failed", sender="MAILER-DAEMON@mx.example")
    assert read_envelope(parse_bytes(raw), raw).automatic


@pytest.mark.parametrize("headers", ["List-Id: <ops.example>\n", "Precedence: list\n", "X-Auto-Response-Suppress: All\n"])
def test_list_mail_is_read_but_never_answered(headers: str) -> None:
    raw = build_mail("Severity: 3", headers=headers)
    envelope = read_envelope(parse_bytes(raw), raw)
    assert envelope.automatic == "" and envelope.no_reply


def test_a_person_writing_auto_submitted_no_is_not_machine_mail() -> None:
    raw = build_mail("Severity: 3", headers="Auto-Submitted: no\n")
    assert read_envelope(parse_bytes(raw), raw).automatic == ""


def test_a_message_without_message_id_gets_one_from_its_bytes() -> None:
    raw = eml("outlook_reply.eml")
    first, second = (read_envelope(parse_bytes(r), r) for r in (raw, raw + b"\n"))
    assert first.message_id.endswith("@mailin.invalid>") and first.synthetic_id
    assert first.message_id == read_envelope(parse_bytes(raw), raw).message_id != second.message_id


def test_html_becomes_text_with_its_characters() -> None:
    assert html_to_text("<p><b>Server:</b> <a href='x'>https://a.example</a><br>Gr&uuml;&szlig;e</p>") == (
        "Server: https://a.example\nGrüße\n"
    )


def test_attachments_keep_their_names_and_bytes() -> None:
    body = read_body(parse_bytes(eml("with_attachments.eml")))
    assert [f.name for f in body.attachments] == ["imap.log", "screenshot.png"]
    assert body.attachments[1].content.startswith(b"\x89PNG")
    assert "License Key: OX-SUP-ACME-0001" in body.text


def test_a_very_long_line_that_looks_like_a_quote_header_is_plain_text() -> None:
    # Pattern matching on such a line would backtrack for minutes; it is never a quote header.
    line = "on " + "a@b " * 50_000 + "wrote:"
    assert extract_values(f"Severity: 3\n{line}\nTrack-ID: T-1") == {"severity": "3", "track_id": "T-1"}
