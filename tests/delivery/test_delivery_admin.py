"""Staff see why a delivery failed and can retry one or many, or forward an incomplete one anyway."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery.models import DeliveryAttempt
from tickets.models import Submission

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tickets_submission_changelist")
REJECTED = "POST /api/v1/tickets: HTTP 422: No lookup value found for 'group': \"Nope\""


@pytest.fixture
def failed(submit, customer) -> Submission:
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(status="failed", last_error=REJECTED, delivery_attempts=1)
    DeliveryAttempt.objects.create(submission=submission, started_at=timezone.now(), outcome="failed",
                                   http_status=422, error=REJECTED)
    return submission


def run_action(client, action: str, *submissions: Submission):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [s.pk for s in submissions]}, follow=True)


def test_the_list_shows_why_a_delivery_failed(admin_client, failed):
    page = admin_client.get(CHANGELIST).content.decode()

    assert "Why delivery failed" in page
    assert "No lookup value found for &#x27;group&#x27;: &quot;Nope&quot;" in page


def test_the_submission_page_shows_each_attempt(admin_client, failed):
    page = admin_client.get(reverse("admin:tickets_submission_change", args=[failed.pk])).content.decode()

    assert "delivery attempts" in page.lower() and "Failed permanently" in page and "422" in page


def test_staff_retry_failed_submissions_and_are_told_what_was_skipped(admin_client, failed, submit, customer):
    forwarded = submit(customer)
    Submission.objects.filter(pk=forwarded.pk).update(status="forwarded")

    page = run_action(admin_client, "retry_delivery", failed, forwarded).content.decode()

    assert "1 submission queued for delivery again." in page
    assert "1 skipped: only failed or queued submissions can be retried." in page
    assert Submission.objects.get(pk=failed.pk).status == "queued"
    assert Submission.objects.get(pk=forwarded.pk).status == "forwarded"


def test_staff_forward_a_submission_that_needs_information(admin_client, submit, customer):
    held = submit(customer, hold=True)

    page = run_action(admin_client, "forward_anyway", held).content.decode()

    assert "1 submission queued for delivery as it is." in page
    assert Submission.objects.get(pk=held.pk).status == "queued"


def test_the_attempt_log_is_listed_and_read_only(admin_client, failed):
    listing = admin_client.get(reverse("admin:delivery_deliveryattempt_changelist")).content.decode()

    assert failed.reference in listing and "Failed permanently" in listing
    assert admin_client.get(reverse("admin:delivery_deliveryattempt_add")).status_code == 403
