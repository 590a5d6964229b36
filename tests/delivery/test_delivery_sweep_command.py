"""`manage.py delivery_sweep`: one pass of the periodic work, for cron or a systemd timer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_tasks")]


def sweep_output() -> str:
    out = StringIO()
    call_command("delivery_sweep", stdout=out)
    return out.getvalue().strip()


def test_one_pass_reports_what_it_did(standin, submit, customer):
    submit(customer)
    DBTaskResult.objects.all().delete()  # the task was lost

    assert sweep_output() == "re-queued 1 deliveries, re-sent 0 confirmations, refreshed 0 Zammad states"
    assert DBTaskResult.objects.filter(task_path="delivery.tasks.deliver_submission", status="READY").count() == 1


def test_without_zammad_settings_it_does_nothing(submit, customer):
    submit(customer)
    DBTaskResult.objects.all().delete()

    assert sweep_output() == "Zammad is not configured (ZAMMAD_URL and a credential): nothing to do."
    assert not DBTaskResult.objects.exists()
