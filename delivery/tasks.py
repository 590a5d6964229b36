"""Background tasks run by `manage.py db_worker`; each is a thin call into a service."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_submission(submission_id: int) -> str:
    """Deliver one submission to Zammad (see delivery.services.deliver)."""
    from delivery.services import deliver

    return deliver(submission_id)


@task()
def send_confirmation(submission_id: int) -> bool:
    """Email the customer their Zammad ticket number, once."""
    from delivery.notify import send_confirmation as send

    return send(submission_id)
