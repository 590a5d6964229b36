"""Whatever arrives, ingestion stores it and ends with a known outcome, never an exception."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailin.models import InboundMessage
from mailin.services import ingest_message
from tickets.catalogue import FIELDS

pytestmark = pytest.mark.django_db
Outcome = InboundMessage.Outcome
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
HEADER_NAMES = [
    "From", "Subject", "Message-ID", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
    "Auto-Submitted", "Return-Path", "Precedence", "List-Id", "References", "MIME-Version",
]
MESSAGE_NUMBERS = count()
LABELS = [label for f in FIELDS for label in f.mail_labels] + ["Severity 1 confirmed", "> Server", "-- "]


def _check_taken(raw: bytes, outcome: str) -> None:
    assert outcome not in (Outcome.ERROR, Outcome.PENDING)
    if outcome != Outcome.DUPLICATE:
        assert bytes(InboundMessage.objects.filter(raw=raw).first().raw) == raw


@FUZZ
@given(raw=st.binary(max_size=4000))
def test_arbitrary_bytes_never_crash_ingestion(raw: bytes, customer: Any) -> None:
    _check_taken(raw, ingest_message(raw).outcome)


header_line = st.tuples(st.sampled_from(HEADER_NAMES), st.text(max_size=80)).map(lambda h: f"{h[0]}: {h[1]}")


@FUZZ
@given(headers=st.lists(header_line, max_size=8), body=st.text(max_size=2000))
def test_arbitrary_headers_from_a_customer_never_crash_ingestion(
    headers: list[str], body: str, customer: Any
) -> None:
    text = "\n".join(["From: alice@acme.example", *headers]) + "\n\n" + body
    raw = text.encode("utf-8", "replace")
    _check_taken(raw, ingest_message(raw).outcome)


template_line = st.tuples(st.sampled_from(LABELS), st.sampled_from([":", " -", " =", ""]), st.text(max_size=60))


@FUZZ
@given(lines=st.lists(template_line, max_size=25))
def test_arbitrary_template_values_never_crash_ingestion(lines: list[tuple[str, str, str]], customer: Any) -> None:
    body = "\n".join(f"{label}{separator} {value}" for label, separator, value in lines)
    raw = f"From: alice@acme.example\nSubject: fuzz\nMessage-ID: <{next(MESSAGE_NUMBERS)}@fuzz>\n\n{body}".encode(
        "utf-8", "replace"
    )
    result = ingest_message(raw)
    assert result.outcome in (Outcome.ACCEPTED, Outcome.NEEDS_INFO)
