"""Background tasks run by `manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_submission(submission_id: int) -> None:
    """Deliver one submission to Zammad (implemented with the forwarding work)."""
