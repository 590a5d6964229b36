"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright against the live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture
def new_page() -> Iterator[Callable[[], Any]]:
    """Open pages in fresh browser contexts (separate cookies).

    Playwright lives only as long as one test: while its event loop runs, Django keeps database
    connections per async context, so a session-long loop would hand later tests other connections.
    """
    if not CHROMIUM.exists():
        # Fail, never skip: a missing browser must not look like a passing suite. `make test` installs it.
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`) to run the browser tests.")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

    def open_page(**context_options: Any) -> Any:
        options = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        return context.new_page()

    try:
        yield open_page
    finally:
        browser.close()
        connections.close_all()  # the ones opened while the loop ran
        playwright.stop()
