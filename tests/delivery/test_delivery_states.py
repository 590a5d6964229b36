"""The delivery state machine, driven with a scripted Zammad: every outcome ends in the right state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import default_task_backend

from delivery import services
from delivery.models import DeliveryAttempt, ZammadCustomer
from delivery.notify import send_confirmation
from tickets.models import Submission
from zammad_client import Ticket, User, ZammadRejected, ZammadUnavailable

pytestmark = pytest.mark.django_db


def ticket(number: str = "67001", ticket_id: int = 7, state: str = "new", title: str = "IMAP logins fail for all users") -> Ticket:
    return Ticket(id=ticket_id, number=number, title=title, state=state, group="Users", customer_id=100,
                  raw={"id": ticket_id, "number": number})


def unavailable(ambiguous: bool = False, status: int | None = 503) -> ZammadUnavailable:
    return ZammadUnavailable(f"POST /api/v1/tickets: HTTP {status}: Service Unavailable", status=status,
                             ambiguous=ambiguous, body_excerpt="<html>503</html>")


class FakeZammad:
    """Answers like ZammadClient, from a script; remembers every call."""

    def __init__(self, *creates: Ticket | Exception, found: Ticket | Exception | None = None) -> None:
        self.creates = list(creates)
        self.found = found
        self.calls: list[tuple[Any, ...]] = []
        self.users: dict[str, User] = {}
        self.on_create = None

    def find_ticket_by_tag(self, tag: str) -> Ticket | None:
        self.calls.append(("find_ticket", tag))
        if isinstance(self.found, Exception):
            raise self.found
        return self.found

    def find_user_by_email(self, email: str) -> User | None:
        self.calls.append(("find_user", email))
        return self.users.get(email)

    def create_user(self, *, email: str, firstname: str, lastname: str) -> User:
        self.calls.append(("create_user", email, firstname))
        self.users[email] = User(id=100 + len(self.users), email=email, login=email, firstname=firstname, lastname=lastname)
        return self.users[email]

    def create_ticket(self, payload: dict[str, Any], *, on_behalf_of: str | None = None) -> Ticket:
        self.calls.append(("create_ticket", payload["customer_id"], on_behalf_of))
        if self.on_create:
            self.on_create()
        outcome = self.creates.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self) -> None:
        pass

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call[0] == name)


@pytest.fixture(autouse=True)
def zammad_configured(settings) -> None:
    settings.ZAMMAD_URL = "https://zammad.example"
    settings.ZAMMAD_TOKEN = "secret-token"
    settings.ZAMMAD_BACKOFF_BASE_SECONDS = 30
    settings.ZAMMAD_BACKOFF_MAX_SECONDS = 3600


def enqueued(task_name: str) -> list[Any]:
    return [r for r in default_task_backend.results if r.task.name == task_name]


def reload(submission: Submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def make_due(submission: Submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_it_forwards_and_keeps_the_zammad_number_and_state(submit, customer):
    submission = submit(customer)
    zammad = FakeZammad(ticket("67001", 7, "new"))

    assert services.deliver(submission.pk, lambda: zammad) == "forwarded"

    stored = reload(submission)
    assert (stored.status, stored.zammad_ticket_id, stored.zammad_ticket_number, stored.zammad_state) == (
        "forwarded", 7, "67001", "new")
    assert stored.delivery_attempts == 1 and stored.forwarded_at and stored.lease_expires_at is None
    attempt = DeliveryAttempt.objects.get(submission=submission)
    assert (attempt.outcome, attempt.http_status, attempt.error) == ("created", 201, "")
    assert [r.args for r in enqueued("send_confirmation")] == [[submission.pk]]


def test_the_customer_gets_one_confirmation_with_the_zammad_number(submit, customer):
    submission = submit(customer)
    services.deliver(submission.pk, lambda: FakeZammad(ticket("67001")))

    assert send_confirmation(submission.pk) is True
    assert send_confirmation(submission.pk) is False  # a second task finds it sent

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@acme.example"]
    assert message.subject == f"[OX Support #67001] Your request {submission.reference} is now with OX support"
    assert "Its support ticket number is 67001" in message.body
    assert f"http://127.0.0.1:8000/tickets/{submission.reference}/" in message.body
    assert reload(submission).confirmation_sent_at is not None


def test_no_confirmation_goes_out_before_the_ticket_exists(submit, customer):
    submission = submit(customer)

    assert send_confirmation(submission.pk) is False
    assert mail.outbox == []


def test_zammad_being_unavailable_queues_a_retry_with_backoff(submit, customer):
    submission = submit(customer)
    before = timezone.now()

    assert services.deliver(submission.pk, lambda: FakeZammad(unavailable())) == "retry"

    stored = reload(submission)
    assert stored.status == "queued" and stored.outcome_unknown is False
    assert before + timedelta(seconds=15) <= stored.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert stored.last_error == "POST /api/v1/tickets: HTTP 503: Service Unavailable"
    retries = [r for r in enqueued("deliver_submission") if r.task.run_after is not None]
    assert [(r.args, r.task.run_after) for r in retries] == [([submission.pk], stored.next_attempt_at)]
    attempt = DeliveryAttempt.objects.get(submission=submission)
    assert (attempt.outcome, attempt.http_status, attempt.response_excerpt) == ("retry", 503, "<html>503</html>")


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 15, 30), (2, 30, 60), (5, 240, 480), (30, 1800, 3600)])
def test_the_wait_between_retries_doubles_with_jitter_up_to_the_maximum(attempt, low, high):
    waits = {services._retry_delay(attempt, unavailable()).total_seconds() for _ in range(50)}

    assert all(low <= wait <= high for wait in waits)
    assert len(waits) > 1  # jitter: a burst of retries after an outage is spread out


def test_zammads_retry_after_sets_the_wait(submit, customer):
    submission = submit(customer)
    throttled = ZammadUnavailable("HTTP 429: Retry later", status=429, ambiguous=False, retry_after=120)
    services.deliver(submission.pk, lambda: FakeZammad(throttled))

    wait = reload(submission).next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < wait <= timedelta(seconds=120)


def test_after_an_ambiguous_failure_it_adopts_the_ticket_instead_of_creating_another(submit, customer):
    submission = submit(customer)
    zammad = FakeZammad(unavailable(ambiguous=True), found=ticket("67002", 8, "open"))
    services.deliver(submission.pk, lambda: zammad)
    assert reload(submission).outcome_unknown is True

    make_due(submission)
    assert services.deliver(submission.pk, lambda: zammad) == "forwarded"

    stored = reload(submission)
    assert (stored.status, stored.zammad_ticket_number, stored.zammad_state, stored.outcome_unknown) == (
        "forwarded", "67002", "open", False)
    assert zammad.count("create_ticket") == 1
    assert ("find_ticket", f"portal-{submission.reference.lower()}") in zammad.calls
    assert list(DeliveryAttempt.objects.filter(submission=submission).order_by("id").values_list("outcome", flat=True)) == [
        "retry", "adopted"]


def test_after_an_ambiguous_failure_that_created_nothing_it_creates_once(submit, customer):
    submission = submit(customer)
    zammad = FakeZammad(unavailable(ambiguous=True), ticket("67003"), found=None)
    services.deliver(submission.pk, lambda: zammad)
    make_due(submission)

    services.deliver(submission.pk, lambda: zammad)

    assert reload(submission).zammad_ticket_number == "67003"
    assert zammad.count("create_ticket") == 2 and zammad.count("find_ticket") == 1


def test_a_rejection_fails_at_once_with_zammads_message(submit, customer):
    submission = submit(customer)
    rejected = ZammadRejected("POST /api/v1/tickets: HTTP 422: No lookup value found for 'group': \"Nope\"", status=422,
                              body_excerpt='{"error":"No lookup value found"}')

    assert services.deliver(submission.pk, lambda: FakeZammad(rejected)) == "failed"

    stored = reload(submission)
    assert stored.status == "failed" and stored.next_attempt_at is None
    assert stored.last_error == "POST /api/v1/tickets: HTTP 422: No lookup value found for 'group': \"Nope\""
    assert len(enqueued("deliver_submission")) == 1  # the one from submitting: no retry
    assert DeliveryAttempt.objects.get(submission=submission).outcome == "failed"


def test_it_gives_up_when_zammad_stays_down_past_the_horizon(settings, submit, customer):
    settings.ZAMMAD_RETRY_HORIZON_HOURS = 24
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(queued_at=timezone.now() - timedelta(hours=24, minutes=2))
    DeliveryAttempt.objects.create(submission=submission, started_at=timezone.now() - timedelta(hours=24, minutes=1),
                                   outcome="retry")

    assert services.deliver(submission.pk, lambda: FakeZammad(unavailable())) == "failed"

    stored = reload(submission)
    assert stored.status == "failed"
    assert stored.last_error == "Gave up after 1 attempts over 24 hours; last error: POST /api/v1/tickets: HTTP 503: Service Unavailable"


def test_without_zammad_settings_it_waits_and_never_fails(settings, submit, customer):
    settings.ZAMMAD_URL = ""
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(queued_at=timezone.now() - timedelta(days=3))

    assert services.deliver(submission.pk, lambda: pytest.fail("no client without ZAMMAD_URL")) == "not configured"

    stored = reload(submission)
    assert (stored.status, stored.delivery_attempts, stored.last_error) == ("queued", 0, "")
    assert not DeliveryAttempt.objects.exists()


def test_a_delivery_in_progress_is_not_taken_by_a_second_worker(submit, customer):
    submission = submit(customer)
    assert services.claim(submission.pk) is not None

    assert services.deliver(submission.pk, lambda: pytest.fail("must not call Zammad")) == "skipped"
    assert reload(submission).delivery_attempts == 1


def test_a_delivery_whose_worker_died_is_taken_over_and_looks_before_creating(submit, customer):
    submission = submit(customer)
    services.claim(submission.pk)
    Submission.objects.filter(pk=submission.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    zammad = FakeZammad(found=ticket("67004", 9))

    assert services.deliver(submission.pk, lambda: zammad) == "forwarded"

    assert reload(submission).zammad_ticket_number == "67004"
    assert zammad.count("create_ticket") == 0


def test_a_worker_that_lost_its_claim_does_not_overwrite_the_new_owner(submit, customer):
    submission = submit(customer)
    zammad = FakeZammad(ticket("67005"))

    def taken_over_meanwhile() -> None:
        Submission.objects.filter(pk=submission.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
        services.claim(submission.pk)

    zammad.on_create = taken_over_meanwhile
    services.deliver(submission.pk, lambda: zammad)

    stored = reload(submission)
    assert (stored.status, stored.outcome_unknown, stored.zammad_ticket_id) == ("sending", True, None)
    assert "took this delivery over" in DeliveryAttempt.objects.get(submission=submission).error
    assert enqueued("send_confirmation") == []


def test_a_customer_is_looked_up_or_created_in_zammad_once(submit, customer):
    zammad = FakeZammad(ticket("67006", 1), ticket("67007", 2))
    first, second = submit(customer), submit(customer)

    services.deliver(first.pk, lambda: zammad)
    services.deliver(second.pk, lambda: zammad)

    assert [c for c in zammad.calls if c[0] in ("find_user", "create_user")] == [
        ("find_user", "alice@acme.example"), ("create_user", "alice@acme.example", "Alice")]
    assert [c[1] for c in zammad.calls if c[0] == "create_ticket"] == [100, 100]


def test_a_second_delivery_waits_while_the_customer_is_being_created(submit, customer):
    submission = submit(customer)
    ZammadCustomer.objects.create(email="alice@acme.example", claimed_until=timezone.now() + timedelta(minutes=1))
    zammad = FakeZammad(ticket())

    assert services.deliver(submission.pk, lambda: zammad) == "retry"

    stored = reload(submission)
    assert stored.last_error == "Another delivery is creating the Zammad user for alice@acme.example; trying again shortly."
    assert stored.next_attempt_at - timezone.now() <= timedelta(seconds=2)
    assert zammad.count("create_user") == 0 and zammad.count("create_ticket") == 0


def test_a_customer_zammad_has_but_cannot_find_yet_is_sent_as_guess(submit, customer):
    submission = submit(customer)
    zammad = FakeZammad(ticket())
    zammad.create_user = lambda **kw: (_ for _ in ()).throw(ZammadRejected(
        "POST /api/v1/users: HTTP 422: Email address 'alice@acme.example' is already used for another user.", status=422))

    services.deliver(submission.pk, lambda: zammad)

    assert zammad.calls[-1] == ("create_ticket", "guess:alice@acme.example", None)


def test_it_acts_as_the_customer_when_configured(settings, submit, customer):
    settings.ZAMMAD_ACT_AS_CUSTOMER = True
    zammad = FakeZammad(ticket())

    services.deliver(submit(customer).pk, lambda: zammad)

    assert zammad.calls[-1] == ("create_ticket", 100, "alice@acme.example")


def test_a_lost_attachment_file_fails_the_delivery_with_a_reason(submit, customer):
    from tickets.attachments import IncomingFile

    submission = submit(customer, files=(IncomingFile("imap.log", b"log line\n"),))
    attachment = submission.attachments.get()
    attachment.file.delete(save=False)

    assert services.deliver(submission.pk, lambda: FakeZammad(ticket())) == "failed"
    assert reload(submission).last_error.startswith("Internal error before or while talking to Zammad: FileNotFoundError")


def test_staff_can_retry_a_failed_delivery_with_a_fresh_horizon(submit, customer):
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(status="failed", queued_at=timezone.now() - timedelta(days=2))

    assert services.retry(reload(submission)) is True

    stored = reload(submission)
    assert stored.status == "queued" and timezone.now() - stored.queued_at < timedelta(minutes=1)
    assert [r.args for r in enqueued("deliver_submission")][-1] == [submission.pk]


def test_a_forwarded_submission_cannot_be_retried(submit, customer):
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(status="forwarded")

    assert services.retry(reload(submission)) is False
    assert reload(submission).status == "forwarded"


def test_staff_can_forward_a_submission_that_needs_information(submit, customer):
    held = submit(customer, hold=True)
    assert held.status == "needs_info"

    assert services.forward_anyway(held) is True
    assert services.forward_anyway(reload(held)) is False

    assert reload(held).status == "queued"
    assert [r.args for r in enqueued("deliver_submission")] == [[held.pk]]


def test_the_horizon_counts_from_the_first_attempt_not_from_days_spent_unconfigured(submit, customer):
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(queued_at=timezone.now() - timedelta(days=3))

    assert services.deliver(submission.pk, lambda: FakeZammad(unavailable())) == "retry"



def test_a_remembered_zammad_user_that_was_deleted_is_looked_up_again(submit, customer):
    ZammadCustomer.objects.create(email="alice@acme.example", zammad_user_id=4)
    submission = submit(customer)
    gone = ZammadRejected("POST /api/v1/tickets: HTTP 422: Invalid value for param 'customer_id': 4", status=422)
    zammad = FakeZammad(gone, ticket("67008"))

    assert services.deliver(submission.pk, lambda: zammad) == "retry"
    make_due(submission)
    assert services.deliver(submission.pk, lambda: zammad) == "forwarded"

    assert [c[1] for c in zammad.calls if c[0] == "create_ticket"] == [4, 100]
    assert ZammadCustomer.objects.get().zammad_user_id == 100


def test_a_ticket_with_the_tag_but_another_title_is_not_adopted(submit, customer):
    submission = submit(customer)
    Submission.objects.filter(pk=submission.pk).update(outcome_unknown=True)
    zammad = FakeZammad(ticket("67009", 10), found=ticket("11001", 1, title="An old test ticket"))

    services.deliver(submission.pk, lambda: zammad)

    assert reload(submission).zammad_ticket_number == "67009"
    assert zammad.count("create_ticket") == 1


def test_a_rejected_customer_that_was_just_looked_up_fails_instead_of_looping(submit, customer):
    submission = submit(customer)
    rejected = ZammadRejected("POST /api/v1/tickets: HTTP 422: Missing required value for field 'customer_id'!", status=422)

    assert services.deliver(submission.pk, lambda: FakeZammad(rejected)) == "failed"
