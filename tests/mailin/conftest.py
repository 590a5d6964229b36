"""Settings the mail channel's replies depend on, the same for every mail test."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://helpdesk.example.com"
    settings.DEFAULT_FROM_EMAIL = "OX Helpdesk Portal <helpdesk-portal@example.com>"
    settings.MAILIN_SUPPORT_ADDRESSES = ["support@example.com", "helpdesk@example.com"]
    settings.MAILIN_REPLY_LIMIT_PER_HOUR = 5
    settings.MAILIN_MAX_MESSAGE_BYTES = 40 * 1024 * 1024
