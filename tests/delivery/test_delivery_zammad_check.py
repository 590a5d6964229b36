"""`manage.py zammad_check` tells an operator in plain words whether forwarding would work."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run_check() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("zammad_check", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_it_passes_when_url_token_groups_and_priorities_work(settings, standin):
    settings.ZAMMAD_GROUPS = {"incident": "2nd Level"}

    code, output = run_check()

    assert code == 0, output
    assert f"Connected to {standin.url} as " in output
    assert "Group: “2nd Level” exists (incident)." in output
    assert "Priority: “3 high” exists (severity 1, severity 2)." in output
    assert "Can search tickets by tag" in output
    assert "Forwarding to Zammad should work." in output


def test_it_fails_on_a_group_zammad_does_not_have(settings, standin):
    settings.ZAMMAD_GROUPS = {"incident": "Nope"}

    code, output = run_check()

    assert code == 1
    assert "Group: “Nope” (incident) does not exist or is inactive in Zammad; those tickets would be rejected." in output
    assert "Forwarding to Zammad would fail: fix the errors above." in output


def test_it_fails_on_a_priority_zammad_does_not_have(settings, standin):
    settings.ZAMMAD_PRIORITIES = {"1": "4 urgent"}

    code, output = run_check()

    assert code == 1
    assert "Priority: “4 urgent” (severity 1) does not exist" in output


def test_it_fails_when_zammad_cannot_be_reached(standin):
    standin.take_down()

    code, output = run_check()

    assert code == 1
    assert f"Cannot reach Zammad at {standin.url}" in output


def test_it_fails_on_a_wrong_token_without_showing_it(settings, standin):
    settings.ZAMMAD_TOKEN = "wrong-token-value"

    code, output = run_check()

    assert code == 1
    assert f"Zammad at {standin.url} refused the credential" in output
    assert "wrong-token-value" not in output


def test_it_names_the_permissions_a_token_lacks(settings, standin):
    standin.add_token("customer-token", user_id=3, permissions=["ticket.customer"])
    settings.ZAMMAD_TOKEN = "customer-token"

    code, output = run_check()

    assert code == 1
    assert "Missing permission: cannot look up customers by email (needs ticket.agent or admin.user)" in output


def test_it_warns_about_custom_attributes_zammad_would_drop(settings, standin):
    settings.ZAMMAD_CUSTOM_FIELDS = {"license_key": "ox_license_key", "no_such_field": "x"}

    code, output = run_check()

    assert code == 0
    assert "Custom attribute “ox_license_key” (for license_key) does not exist or is inactive: Zammad silently drops its value" in output
    assert "ZAMMAD_CUSTOM_FIELDS names “no_such_field”, which is not a field of the portal." in output


def test_it_fails_without_a_zammad_url(settings):
    settings.ZAMMAD_URL = ""

    code, output = run_check()

    assert code == 1
    assert "ZAMMAD_URL is not set: submissions stay queued and nothing is forwarded." in output
