"""Helpers shared by the delivery tests: drive the real worker, read the stand-in."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from tickets.models import Submission
from zammad_standin import StandIn

TERMINAL = {Submission.Status.FORWARDED, Submission.Status.FAILED}


def run_worker_once() -> None:
    """One batch of the real `db_worker` loop: every task that is due, then return.

    The worker closes "old" connections between tasks; inside a test's transaction that would
    close the test's own connection, so only that call is switched off.
    """
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="pytest-worker", excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()


def work_until_settled(submissions: list[Submission], timeout: float = 10.0) -> None:
    """Run the worker until every submission is forwarded or failed (retries wait a few ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_worker_once()
        statuses = set(Submission.objects.filter(pk__in=[s.pk for s in submissions]).values_list("status", flat=True))
        if statuses <= TERMINAL:
            run_worker_once()  # the confirmation emails
            return
        time.sleep(0.05)
    raise AssertionError(f"deliveries did not settle: {statuses}")


def tickets_for(standin: StandIn, submission: Submission) -> list[dict[str, Any]]:
    tag = f"portal-{submission.reference}".lower()
    return [t for t in standin.tickets if tag in t["tags"]]
