"""The journey of the issue's "done when": a demo customer files an Incident, staff find it in admin."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from tickets.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(settings: Any) -> None:
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


def log_in(page: Any, url: str, email: str) -> None:
    page.goto(url)
    page.fill("#id_username", email)
    page.fill("#id_password", "demo")
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def summary_messages(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("#error-summary li").all_inner_texts()]


def test_a_customer_fixes_every_reported_problem_submits_and_staff_find_the_incident(live_server, demo, new_page):
    page = new_page()
    log_in(page, f"{live_server.url}/accounts/login/", "customer@example.com")
    assert page.url == f"{live_server.url}/tickets/"
    page.get_by_role("link", name="New ticket").first.click()
    page.get_by_role("link", name="Incident").click()
    assert page.url.endswith("/tickets/new/incident/")

    # A first try with gaps and contradictions.
    page.fill("#id_subject", "IMAP logins fail for all users")
    page.fill("#id_license_key", "OX-SUP-DEMO-0001")
    page.fill("#id_server", "mail.example.com")
    page.select_option("#id_environment", "Staging")
    page.check("#id_severity_0")
    page.get_by_role("button", name="Submit ticket").click()
    page.wait_for_load_state()

    assert page.evaluate("document.activeElement.id") == "error-summary"
    messages = summary_messages(page)
    assert "Server: Enter the server as a full address starting with https:// or http://, for example https://mail.example.com." in messages
    assert ("Severity: A problem on a staging system is Severity 3 at most, by definition. Choose Severity 3 or 4, "
            "or set Environment to Production if production is affected.") in messages
    for label in ("Server Version", "Recent changes", "Issue Description", "Steps to reproduce", "Current behaviour", "Expected behaviour"):
        assert f"{label}: Enter the {label}; support needs it for this ticket type." in messages
    assert "Platform: Choose the Platform." in messages and "End-User-Impact: Choose the End-User-Impact." in messages
    assert "Date/time of test: Enter the Date/time of test; support needs it for this ticket type." in messages
    assert len(messages) == 11
    targets = page.eval_on_selector_all("#error-summary a", "links => links.map(a => !!document.querySelector(a.getAttribute('href')))")
    assert targets == [True] * 11
    assert page.input_value("#id_subject") == "IMAP logins fail for all users"  # what was typed is kept
    assert page.is_visible("#id_server_error")

    # Keyboard only: from the focused summary, Tab to the first link (the form's first section
    # is about urgency), Enter puts the cursor into the Severity group; arrow keys move from 1 to 3.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Severity"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_severity_0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#id_severity_2")
    # The second link leads to Server; Tab moves on to Server Version.
    page.focus("#error-summary a[href='#id_server']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_server"
    page.keyboard.press("Control+A")
    page.keyboard.type("https://mail.example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("8.22.0")

    page.select_option("#id_platform", "Debian 12")
    page.select_option("#id_end_user_impact", "All")
    page.fill("#id_recent_changes", "None in the last 24 hours")
    page.fill("#id_description", "Since 10:40 nobody can log in via IMAP.")
    page.fill("#id_steps_to_reproduce", "1. Open Thunderbird\n2. Log in")
    page.fill("#id_tested_at", "2026-01-05T10:00")
    page.fill("#id_current_behaviour", "AUTHENTICATE fails")
    page.fill("#id_expected_behaviour", "Login succeeds")
    page.focus("#id_track_id")
    page.keyboard.press("Tab")  # the file input, last of the form
    page.keyboard.press("Tab")  # the submit button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Submit ticket"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tickets/OXP-\d{6}/$"))

    submission = Submission.objects.get()
    assert (submission.severity, submission.environment, submission.server) == (3, "Staging", "https://mail.example.com")
    assert f"Your request {submission.reference} was received" in page.inner_text("main")
    page.get_by_role("link", name="My tickets").first.click()
    assert page.get_by_role("link", name=submission.reference).is_visible()

    staff = new_page()
    log_in(staff, f"{live_server.url}/admin/login/?next=/admin/tickets/submission/", "staff@example.com")
    staff.fill("#searchbar", submission.reference)
    staff.press("#searchbar", "Enter")
    staff.get_by_role("link", name=submission.reference).click()
    assert "IMAP logins fail for all users" in staff.inner_text("#content")


def test_the_time_zone_of_the_test_starts_as_the_browsers_and_an_error_keeps_the_choice(live_server, demo, new_page):
    page = new_page(timezone_id="America/New_York")
    log_in(page, f"{live_server.url}/accounts/login/", "customer@example.com")
    page.goto(f"{live_server.url}/tickets/new/incident/")
    assert page.input_value("#id_tested_at_tz") == "America/New_York"
    page.select_option("#id_tested_at_tz", "Asia/Tokyo")
    page.get_by_role("button", name="Submit ticket").click()
    page.wait_for_load_state()
    assert page.is_visible("#error-summary")
    assert page.input_value("#id_tested_at_tz") == "Asia/Tokyo"
