"""Two workers never deliver the same submission at once: row locks with SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from delivery_helpers import tickets_for
from django.conf import settings as django_settings
from django.db import connection, transaction

from delivery import services
from delivery.models import DeliveryAttempt
from tickets.models import Submission

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL row locks: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def in_thread(target: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target())
        finally:
            connection.close()  # each thread has its own database connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_workers_delivering_the_same_submission_create_one_ticket(standin, submit, customer):
    submission = submit(customer)
    standin.faults.latency = 0.2  # the first delivery is still talking to Zammad when the second starts
    barrier = threading.Barrier(2)
    results: list[str] = []

    def deliver() -> str:
        barrier.wait()
        return services.deliver(submission.pk)

    threads = [in_thread(deliver, results) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(results) == ["forwarded", "skipped"]
    assert len(tickets_for(standin, submission)) == 1
    assert list(DeliveryAttempt.objects.values_list("outcome", flat=True)) == ["created"]
    assert Submission.objects.get(pk=submission.pk).delivery_attempts == 1


def test_a_worker_skips_a_row_another_worker_has_locked_instead_of_waiting(standin, submit, customer):
    submission = submit(customer)
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with transaction.atomic():
            Submission.objects.select_for_update().get(pk=submission.pk)
            locked.set()
            release.wait(timeout=20)

    holder_results: list[Any] = []
    holder = in_thread(hold_lock, holder_results)
    assert locked.wait(timeout=10)
    try:
        results: list[str] = []
        second = in_thread(lambda: services.deliver(submission.pk), results)
        second.join(timeout=5)
        assert not second.is_alive(), "the second worker waited for the lock instead of skipping the row"
        assert results == ["skipped"]
    finally:
        release.set()
        holder.join(timeout=10)

    assert services.deliver(submission.pk) == "forwarded"
    assert len(tickets_for(standin, submission)) == 1
