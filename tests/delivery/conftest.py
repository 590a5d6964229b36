"""Fixtures for delivery: stored submissions, a live Zammad stand-in, the real django-tasks-db worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from accounts.models import User
from tickets.models import Submission, TicketType
from tickets.services import create_submission
from tickets.validation import validate_submission
from zammad_standin import StandIn


@pytest.fixture
def submit(incident: TicketType, incident_values: dict[str, Any]) -> Callable[..., Submission]:
    """Store a valid Incident for `user` the way every channel does (validation core + create_submission)."""

    def make(user: User, channel: str = "web", files: tuple = (), hold: bool = False, **changes: Any) -> Submission:
        result = validate_submission(ticket_type=incident, user=user, values={**incident_values, **changes}, files=files)
        assert result.is_valid, result.problems
        return create_submission(user=user, ticket_type=incident, result=result, channel=channel, hold=hold)

    return make


@pytest.fixture
def fast_retries(settings: Any) -> None:
    settings.ZAMMAD_BACKOFF_BASE_SECONDS = 0.05
    settings.ZAMMAD_BACKOFF_MAX_SECONDS = 0.2
    settings.ZAMMAD_LEASE_SECONDS = 30
    settings.ZAMMAD_CONNECT_TIMEOUT = 1
    settings.ZAMMAD_READ_TIMEOUT = 2


@pytest.fixture
def standin(settings: Any, fast_retries: None) -> Iterator[StandIn]:
    """A real Zammad stand-in over HTTP, configured as the portal's Zammad."""
    server = StandIn(port=0, token="test-token", groups=["2nd Level"]).start()
    settings.ZAMMAD_URL = server.url
    settings.ZAMMAD_TOKEN = "test-token"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db_tasks(settings: Any) -> None:
    """The django-tasks-db backend, as in production: tasks are rows the worker picks up."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
