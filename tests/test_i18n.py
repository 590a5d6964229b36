"""English and German: the German catalogue is complete, used on request and chosen by the switcher."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PO_FILE = Path(django_settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdg]")
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}


@pytest.fixture(autouse=True, scope="module")
def _compiled_catalogue() -> None:
    """`make` compiles the catalogue; do it here too when the .mo is missing or older than the .po."""
    mo_file = PO_FILE.with_suffix(".mo")
    if mo_file.exists() and mo_file.stat().st_mtime >= PO_FILE.stat().st_mtime:
        return
    try:
        call_command("compilemessages", locale=["de"], ignore_patterns=[".venv"], verbosity=0)
    except CommandError:
        if not mo_file.exists():
            raise
        # No gettext tools here: the committed .mo has to do (a checkout may leave it a bit "older").
    translation.trans_real._translations = {}  # type: ignore[attr-defined]


def po_entries() -> list[dict[str, Any]]:
    """msgid/msgstr pairs of the German catalogue, with their flags (enough of the .po format for a check)."""
    entries, current, key = [], None, ""
    for line in PO_FILE.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                entries.append(current)
            current = None
            continue
        current = current or {"flags": "", "msgid": "", "msgid_plural": "", "msgstr": []}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            key, _sep, rest = line.partition(" ")
            if key.startswith("msgstr"):
                current["msgstr"].append(rest[1:-1])
            else:
                current[key] = rest[1:-1]
        elif line.startswith('"'):
            if key.startswith("msgstr"):
                current["msgstr"][-1] += line[1:-1]
            else:
                current[key] += line[1:-1]
    return [entry for entry in entries if entry["msgid"]]


def test_every_message_has_a_german_translation_that_keeps_its_placeholders():
    entries = po_entries()
    assert len(entries) > 300
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(e["msgstr"])] == []
    for entry in entries:
        expected = sorted(set(PLACEHOLDER.findall(entry["msgid_plural"] or entry["msgid"])))
        assert sorted(set(PLACEHOLDER.findall(entry["msgstr"][-1]))) == expected, entry["msgid"]


def test_the_incident_form_is_german_when_the_browser_asks_for_it(client, customer):
    client.force_login(customer)
    page = client.get(reverse("tickets:create", args=["incident"]), **GERMAN).content.decode()
    assert '<html lang="de">' in page
    for text in (
        "Lizenzschlüssel", "Problembeschreibung", "Auswirkung auf Endbenutzer", "Datum/Uhrzeit des Tests",
        "Ihr OX-Lizenz- oder Support-Schlüssel, z. B. OX-SUP-1234-ABCD.",
        "Schweregrad 1 – Kritisch", "oder mehr als 35 % der Benutzer können nicht arbeiten",
        "Schweregrad 3 – Gering", "Mit * markierte Felder sind Pflichtfelder.", "Ticket absenden",
        "Bis zu 10 Dateien, jeweils höchstens 10,0\xa0MB und zusammen 25,0\xa0MB.",
        '<option value="Production">Produktion</option>',
    ):
        assert text in page, text
    assert "Issue Description" not in page and "Severity 1 – Critical" not in page


def test_errors_are_german_too(client, customer, incident_values):
    client.force_login(customer)
    data = {**incident_values, "server_version": "", "environment": "Staging", "severity": "1",
            "tested_at": "2026-01-05T10:00", "tested_at_tz": "Europe/Berlin"}
    page = client.post(reverse("tickets:create", args=["incident"]), data, **GERMAN).content.decode()
    assert "Bitte korrigieren Sie die folgenden 2 Felder." in page
    assert "Ein Problem auf einem Staging-System hat per Definition höchstens Schweregrad 3." in page
    assert "Geben Sie „Server-Version“ an; der Support braucht diese Angabe für diesen Ticket-Typ." in page


def test_english_is_the_default(client, customer):
    client.force_login(customer)
    page = client.get(reverse("tickets:create", args=["incident"])).content.decode()
    assert '<html lang="en">' in page and "Issue Description" in page


def test_the_switcher_changes_the_language_and_keeps_the_page(client, customer):
    client.force_login(customer)
    form_url = reverse("tickets:create", args=["incident"])
    page = client.get(form_url).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert '<option value="de">Deutsch</option>' in page
    response = client.post(reverse("set_language"), {"language": "de", "next": form_url})
    assert response.status_code == 302 and response["Location"] == form_url
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert "Problembeschreibung" in client.get(form_url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": form_url})
    assert "Issue Description" in client.get(form_url).content.decode()


def test_the_login_page_and_its_errors_are_german(client, customer):
    page = client.get(reverse("accounts:login"), **GERMAN).content.decode()
    assert "Beim OX-Helpdesk-Portal anmelden" in page and "Passwort vergessen?" in page
    failed = client.post(reverse("accounts:login"), {"username": "alice@acme.example", "password": "x"}, **GERMAN)
    assert "E-Mail-Adresse und Passwort passen zu keinem Konto. Prüfen Sie das Passwort; dort zählt Groß- und Kleinschreibung." in failed.content.decode()
