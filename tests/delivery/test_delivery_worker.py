"""The real django-tasks-db worker against the Zammad stand-in over HTTP, with every fault of the issue.

Whatever Zammad does, each submission ends up as exactly one ticket (or failed, visibly).
"""

from __future__ import annotations

import time

import pytest
from delivery_helpers import run_worker_once, tickets_for, work_until_settled
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from delivery.models import DeliveryAttempt
from delivery.sweep import sweep
from tickets.models import Submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_tasks")]


def outcomes(submission: Submission) -> list[str]:
    return list(DeliveryAttempt.objects.filter(submission=submission).order_by("id").values_list("outcome", flat=True))


def test_a_submitted_incident_becomes_one_complete_zammad_ticket(settings, standin, submit, customer):
    settings.ZAMMAD_GROUPS = {"incident": "2nd Level"}
    submission = submit(customer)

    work_until_settled([submission])

    [created] = tickets_for(standin, submission)
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == "forwarded"
    assert (stored.zammad_ticket_id, stored.zammad_ticket_number, stored.zammad_state) == (
        created["ticket"]["id"], created["ticket"]["number"], "new")
    assert created["ticket"]["group"] == "2nd Level" and created["ticket"]["priority"] == "3 high"
    assert created["customer"]["email"] == "alice@acme.example" and created["customer"]["firstname"] == "Alice"
    assert sorted(created["tags"]) == sorted(["incident", "severity-2", "production", "web", f"portal-{submission.reference.lower()}"])
    [article] = created["articles"]
    assert "Steps to reproduce:\n    1. Open Thunderbird" in article["body"]
    assert mail.outbox[0].subject.startswith(f"[OX Support #{stored.zammad_ticket_number}]")


def test_the_customer_sees_the_zammad_number_and_state_in_history_and_detail(client, settings, standin, submit, customer):
    settings.ZAMMAD_POLL_MINUTES = 0
    submission = submit(customer)
    work_until_settled([submission])
    number = Submission.objects.get(pk=submission.pk).zammad_ticket_number
    standin.set_ticket_state(Submission.objects.get(pk=submission.pk).zammad_ticket_id, "open")
    client.force_login(customer)

    assert f"#{number} · new" in client.get(submission.get_absolute_url()).content.decode()
    sweep()  # no webhook configured: the poll brings the state Zammad shows now
    assert f"#{number} · open" in client.get(submission.get_absolute_url()).content.decode()
    assert f"#{number} <span" in client.get(reverse("tickets:list")).content.decode()


def test_zammad_down_then_back_delivers_every_submission_once(standin, submit, customer, colleague):
    standin.take_down()
    submissions = [submit(customer), submit(colleague), submit(customer)]
    run_worker_once()
    assert set(Submission.objects.values_list("status", flat=True)) == {"queued"}
    assert "Connection refused" in Submission.objects.get(pk=submissions[0].pk).last_error

    standin.faults.down = False
    work_until_settled(submissions)

    for submission in submissions:
        assert len(tickets_for(standin, submission)) == 1
        assert Submission.objects.get(pk=submission.pk).status == "forwarded"
    customers = [t["customer"]["email"] for t in standin.tickets]
    assert sorted(set(customers)) == ["alice@acme.example", "bob@acme.example"]
    assert len(mail.outbox) == 3


def test_an_unknown_group_fails_at_once_with_zammads_message(settings, standin, submit, customer):
    settings.ZAMMAD_GROUPS = {"incident": "No Such Group"}
    submission = submit(customer)

    work_until_settled([submission])

    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == "failed" and stored.delivery_attempts == 1
    assert "No lookup value found for 'group': \"No Such Group\"" in stored.last_error
    assert outcomes(submission) == ["failed"]
    assert standin.tickets == [] and mail.outbox == []


def test_a_lost_response_after_the_ticket_was_created_makes_no_duplicate(standin, submit, customer):
    standin.faults.lose_response_next = 1
    submission = submit(customer)

    work_until_settled([submission])

    assert len(tickets_for(standin, submission)) == 1
    assert outcomes(submission) == ["retry", "adopted"]
    assert Submission.objects.get(pk=submission.pk).zammad_ticket_number == tickets_for(standin, submission)[0]["ticket"]["number"]


def test_a_timeout_after_zammad_created_the_ticket_makes_no_duplicate(settings, standin, submit, customer):
    work_until_settled([submit(customer)])  # Zammad knows the customer now: the next delivery is one create
    settings.ZAMMAD_READ_TIMEOUT = 0.3
    submission = submit(customer)
    standin.faults.latency = 0.6  # Zammad creates the ticket, but only after the portal stopped waiting

    run_worker_once()
    assert Submission.objects.get(pk=submission.pk).outcome_unknown is True
    deadline = time.monotonic() + 5
    while not tickets_for(standin, submission) and time.monotonic() < deadline:
        time.sleep(0.05)
    standin.faults.latency = 0
    work_until_settled([submission])

    assert len(tickets_for(standin, submission)) == 1
    assert outcomes(submission)[0] == "retry" and outcomes(submission)[-1] == "adopted"


def test_a_timeout_before_zammad_answered_anything_is_retried_and_delivered_once(settings, standin, submit, customer):
    standin.faults.configure(timeout_next=1, hang_seconds=1)  # hangs, then closes: nothing was created
    settings.ZAMMAD_READ_TIMEOUT = 0.3
    submission = submit(customer)

    work_until_settled([submission])

    assert len(tickets_for(standin, submission)) == 1
    assert outcomes(submission) == ["retry", "created"]


def test_server_errors_and_resets_are_retried_until_delivered_once(standin, submit, customer):
    standin.faults.configure(fail_next=2, status=502, reset_next=1)
    submission = submit(customer)

    work_until_settled([submission])

    assert len(tickets_for(standin, submission)) == 1
    assert outcomes(submission) == ["retry", "retry", "retry", "created"]


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even our own error handling."""


def test_a_worker_killed_mid_delivery_is_delivered_once_after_the_sweep(settings, standin, submit, customer, monkeypatch):
    settings.ZAMMAD_LEASE_SECONDS = 0.2
    submission = submit(customer)
    from delivery import services

    def die(*args, **kwargs):
        raise WorkerKilled
    monkeypatch.setattr(services, "_record_success", die)  # the ticket exists; the worker dies before noting it
    run_worker_once()
    monkeypatch.undo()
    assert Submission.objects.get(pk=submission.pk).status == "sending"
    assert len(tickets_for(standin, submission)) == 1

    time.sleep(0.3)  # the dead worker's lease runs out
    assert sweep().requeued == 1
    work_until_settled([submission])

    assert len(tickets_for(standin, submission)) == 1
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == "forwarded" and stored.zammad_ticket_id == tickets_for(standin, submission)[0]["ticket"]["id"]
    assert outcomes(submission) == ["adopted"]


def test_the_sweep_requeues_a_queued_submission_whose_task_was_lost(standin, submit, customer):
    submission = submit(customer)
    DBTaskResult.objects.all().delete()  # e.g. restored from a backup without the task table

    assert sweep().requeued == 1
    assert sweep().requeued == 0  # its task is pending now: no duplicates
    work_until_settled([submission])

    assert len(tickets_for(standin, submission)) == 1


def test_the_sweep_polls_states_of_open_tickets_without_a_webhook(settings, standin, submit, customer):
    settings.ZAMMAD_POLL_MINUTES = 0
    submission = submit(customer)
    work_until_settled([submission])
    standin.set_ticket_state(Submission.objects.get(pk=submission.pk).zammad_ticket_id, "closed")

    assert sweep().polled == 1
    assert Submission.objects.get(pk=submission.pk).zammad_state == "closed"
    assert sweep().polled == 0  # closed tickets are not polled again


def test_the_sweep_does_not_poll_when_the_webhook_reports_states(settings, standin, submit, customer):
    settings.ZAMMAD_POLL_MINUTES = 0
    settings.ZAMMAD_WEBHOOK_SECRET = "s3cret"
    submission = submit(customer)
    work_until_settled([submission])

    assert sweep().polled == 0


def test_two_submissions_of_a_new_customer_create_one_zammad_user(standin, submit, customer, colleague):
    submissions = [submit(colleague), submit(colleague), submit(customer)]

    work_until_settled(submissions)

    by_email: dict[str, set[int]] = {}
    for created in standin.tickets:
        by_email.setdefault(created["customer"]["email"], set()).add(created["customer"]["id"])
    assert {email: len(ids) for email, ids in by_email.items()} == {"bob@acme.example": 1, "alice@acme.example": 1}
    assert len(standin.tickets) == 3
