"""Accounts: requesting one, staff deciding in admin, setting and resetting passwords, throttled logins."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountRequest, User

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/accounts/password/reset/[^\s]+/")


def request_account(client: Client, headers: dict[str, str] | None = None, **overrides: str) -> Any:
    data = {"name": "Carla Customer", "email": "Carla@Acme.example", "company": "Acme Mail AG", "license_key": "ox-sup-acme-0001"}
    data.update(overrides)
    return client.post(reverse("accounts:request"), data, **(headers or {}))


@pytest.fixture
def decide_in_admin(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a staff action on account requests in admin; mails sent on commit are delivered."""

    def decide(client: Client, action: str, *requests: AccountRequest) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("admin:accounts_accountrequest_changelist"),
                {"action": action, "_selected_action": [r.pk for r in requests]},
                follow=True,
            )

    return decide


def set_password_via(client: Client, link: str, password: str) -> Any:
    # The emailed link redirects to a token-free URL that shows the form (Django hides the token).
    form_page = client.get(urlsplit(link).path, follow=True)
    assert form_page.status_code == 200
    assert "Choose your password" in form_page.content.decode()
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True)


def log_in(client: Client, email: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def only_link_in(message: mail.EmailMessage) -> str:
    links = LINK.findall(message.body)
    assert len(links) == 1, message.body
    return links[0]


class TestAccountRequest:
    def test_it_stores_a_pending_request_and_says_what_happens_next(self, client, organisation):
        response = request_account(client)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:request_sent")
        stored = AccountRequest.objects.get()
        assert (stored.email, stored.license_key, stored.status) == ("carla@acme.example", "OX-SUP-ACME-0001", "pending")
        assert stored.matching_organisation == organisation
        page = client.get(response["Location"]).content.decode()
        assert "Once it is approved you will receive an email with a link to set your password." in page
        assert not User.objects.filter(email="carla@acme.example").exists()

    def test_it_tells_staff_about_a_new_request_when_configured(self, client, settings, organisation):
        settings.ACCOUNT_REQUEST_NOTIFY = ["support-lead@ox.example"]
        request_account(client)
        (message,) = mail.outbox
        assert message.to == ["support-lead@ox.example"]
        assert message.subject == "Account request from carla@acme.example"
        assert f"/admin/accounts/accountrequest/{AccountRequest.objects.get().pk}/change/" in message.body

    def test_it_refuses_a_second_pending_request_for_the_same_address(self, client, organisation):
        request_account(client)
        response = request_account(client, email="CARLA@acme.example")
        assert response.status_code == 200
        assert "A request for this address is already waiting for support staff" in response.content.decode()
        assert AccountRequest.objects.count() == 1

    def test_it_refuses_a_request_for_an_address_that_has_an_account(self, client, customer):
        response = request_account(client, email="ALICE@acme.example")
        page = response.content.decode()
        assert "An account with this address exists already." in page
        assert 'href="#id_email"' in page  # the error summary links to the field
        assert AccountRequest.objects.count() == 0

    def test_it_names_each_missing_field(self, client):
        page = client.post(reverse("accounts:request"), {}).content.decode()
        for field in ("name", "email", "company"):
            assert f'<a href="#id_{field}" class="alert-link">' in page
            assert f'id="id_{field}_error"' in page
        assert 'id="id_license_key_error"' not in page  # the key is optional
        assert AccountRequest.objects.count() == 0


    def test_a_flood_of_requests_from_one_address_is_refused_and_nothing_is_stored(self, client, settings):
        settings.ACCOUNT_REQUEST_RATE_LIMIT = "2/hour"
        for number in range(2):
            assert request_account(client, email=f"person{number}@acme.example").status_code == 302
        response = request_account(client, email="person2@acme.example")
        assert response.status_code == 429
        assert "Too many account requests came from your network. Please try again in" in response.content.decode()
        assert AccountRequest.objects.count() == 2

    def test_the_limit_counts_per_client_behind_the_proxy(self, client, settings):
        settings.ACCOUNT_REQUEST_RATE_LIMIT = "1/hour"
        settings.TRUSTED_PROXY_COUNT = 1
        first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
        # A client cannot dodge the limit by sending its own X-Forwarded-For in front.
        forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7"}
        other = {"HTTP_X_FORWARDED_FOR": "203.0.113.8"}
        assert request_account(client, email="a@acme.example", headers=first).status_code == 302
        assert request_account(client, email="b@acme.example", headers=forged).status_code == 429
        assert request_account(client, email="c@acme.example", headers=other).status_code == 302


class TestStaffDecision:
    def test_approval_creates_the_user_in_the_keys_organisation_who_sets_a_password_and_logs_in(
        self, client, decide_in_admin, staff_user, organisation
    ):
        request_account(Client())
        client.force_login(staff_user)
        response = decide_in_admin(client, "approve", AccountRequest.objects.get())
        assert "Approved 1 request; it got a set-password email." in response.content.decode()

        user = User.objects.get(email="carla@acme.example")
        assert (user.organisation, user.first_name, user.last_name) == (organisation, "Carla", "Customer")
        assert not user.has_usable_password()
        decided = AccountRequest.objects.get()
        assert (decided.status, decided.user, decided.decided_by) == ("approved", user, staff_user)

        (message,) = mail.outbox
        assert message.to == ["carla@acme.example"]
        assert message.subject == "Your OX Helpdesk Portal account is ready"
        visitor = Client()
        done = set_password_via(visitor, only_link_in(message), "a-Long-new-passw0rd")
        assert "Your password is set" in done.content.decode()
        assert log_in(visitor, "carla@acme.example", "a-Long-new-passw0rd")["Location"] == reverse("tickets:list")

    def test_a_set_password_link_works_only_once(self, client, decide_in_admin, staff_user, organisation):
        request_account(Client())
        client.force_login(staff_user)
        decide_in_admin(client, "approve", AccountRequest.objects.get())
        link = only_link_in(mail.outbox[0])
        set_password_via(Client(), link, "a-Long-new-passw0rd")
        again = Client().get(urlsplit(link).path, follow=True).content.decode()
        assert "This link has expired" in again

    def test_approval_without_a_known_key_creates_an_account_without_organisation(self, client, decide_in_admin, staff_user):
        request_account(Client(), license_key="OX-UNKNOWN-9999")
        client.force_login(staff_user)
        decide_in_admin(client, "approve", AccountRequest.objects.get())
        assert User.objects.get(email="carla@acme.example").organisation is None
        assert len(mail.outbox) == 1

    def test_rejection_creates_no_account_and_sends_nothing(self, client, decide_in_admin, staff_user, organisation):
        request_account(Client())
        client.force_login(staff_user)
        response = decide_in_admin(client, "reject", AccountRequest.objects.get())
        assert "Rejected 1 request." in response.content.decode()
        assert AccountRequest.objects.get().status == "rejected"
        assert not User.objects.filter(email="carla@acme.example").exists()
        assert mail.outbox == []

    def test_a_decided_request_is_not_decided_again(self, client, decide_in_admin, staff_user, organisation):
        request_account(Client())
        client.force_login(staff_user)
        decide_in_admin(client, "reject", AccountRequest.objects.get())
        response = decide_in_admin(client, "approve", AccountRequest.objects.get())
        assert "Left as it was: the request of carla@acme.example is already rejected." in response.content.decode()
        assert AccountRequest.objects.get().status == "rejected"
        assert not User.objects.filter(email="carla@acme.example").exists()

    def test_after_a_rejection_the_person_may_ask_again(self, client, decide_in_admin, staff_user, organisation):
        request_account(Client())
        client.force_login(staff_user)
        decide_in_admin(client, "reject", AccountRequest.objects.get())
        assert request_account(Client()).status_code == 302
        assert AccountRequest.objects.filter(status="pending").count() == 1


class TestPasswordReset:
    def reset(self, email: str) -> Any:
        return Client().post(reverse("accounts:password_reset"), {"email": email})

    def test_forgot_password_mails_a_link_that_sets_a_new_password(self, customer):
        response = self.reset("ALICE@acme.example")
        assert response["Location"] == reverse("accounts:password_reset_done")
        (message,) = mail.outbox
        assert message.to == ["alice@acme.example"]
        assert message.subject == "Set your OX Helpdesk Portal password"
        visitor = Client()
        set_password_via(visitor, only_link_in(message), "brand-New-secret-42")
        assert log_in(visitor, "alice@acme.example", "pw-alice-123").status_code == 200  # the old one is gone
        assert log_in(visitor, "alice@acme.example", "brand-New-secret-42").status_code == 302

    def test_it_works_for_an_account_that_never_had_a_password(self, organisation):
        User.objects.create_user("mailonly@acme.example", None, organisation=organisation)
        self.reset("mailonly@acme.example")
        visitor = Client()
        set_password_via(visitor, only_link_in(mail.outbox[0]), "brand-New-secret-42")
        assert log_in(visitor, "mailonly@acme.example", "brand-New-secret-42").status_code == 302

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self, db):
        response = self.reset("nobody@nowhere.example")
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert mail.outbox == []

    def test_a_deactivated_account_gets_no_link(self, customer):
        customer.is_active = False
        customer.save()
        self.reset("alice@acme.example")
        assert mail.outbox == []

    def test_it_refuses_a_weak_password_and_keeps_the_old_one(self, customer):
        self.reset("alice@acme.example")
        visitor = Client()
        page = set_password_via(visitor, only_link_in(mail.outbox[0]), "12345678").content.decode()
        assert "This password is too common." in page
        assert log_in(visitor, "alice@acme.example", "pw-alice-123").status_code == 302


class TestLogin:
    def test_it_logs_in_with_the_email_in_any_case(self, client, customer):
        response = log_in(client, "  Alice@ACME.example ", "pw-alice-123")
        assert response.status_code == 302 and response["Location"] == reverse("tickets:list")

    def test_it_refuses_a_wrong_password_with_a_clear_message(self, client, customer):
        page = log_in(client, "alice@acme.example", "wrong").content.decode()
        assert "This email address and password do not match an account. Check the password; upper and lower case matter there." in page
        assert "_auth_user_id" not in client.session

    def test_pages_need_a_login(self, client):
        response = client.get(reverse("tickets:types"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('tickets:types')}"

    def test_logging_out_needs_a_post(self, client, customer):
        client.force_login(customer)
        assert client.get(reverse("accounts:logout")).status_code == 405
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert "_auth_user_id" not in client.session


class TestLoginThrottling:
    def test_after_the_failure_limit_even_the_right_password_is_refused(self, client, settings, customer):
        settings.AXES_FAILURE_LIMIT = 3
        for _attempt in range(3):
            log_in(client, "alice@acme.example", "guess")
        response = log_in(client, "alice@acme.example", "pw-alice-123")
        page = response.content.decode()
        assert response.status_code == 429
        assert "Too many failed logins" in page
        assert "_auth_user_id" not in client.session

    def test_failures_below_the_limit_do_not_lock_the_account(self, client, settings, customer):
        settings.AXES_FAILURE_LIMIT = 3
        for _attempt in range(2):
            log_in(client, "alice@acme.example", "guess")
        assert log_in(client, "alice@acme.example", "pw-alice-123").status_code == 302

    def test_a_lockout_of_one_address_does_not_lock_another(self, client, settings, customer, colleague):
        settings.AXES_FAILURE_LIMIT = 3
        for _attempt in range(3):
            log_in(client, "alice@acme.example", "guess")
        assert log_in(client, "bob@acme.example", "pw-bob-123").status_code == 302


class TestCsrf:
    @pytest.mark.parametrize("url_name", ["accounts:login", "accounts:request", "accounts:password_reset", "set_language"])
    def test_public_forms_refuse_a_post_without_the_csrf_token(self, url_name):
        response = Client(enforce_csrf_checks=True).post(reverse(url_name), {"username": "x@y.example"})
        assert response.status_code == 403

    def test_the_ticket_form_refuses_a_post_without_the_csrf_token(self, customer, incident_values):
        client = Client(enforce_csrf_checks=True)
        client.force_login(customer)
        response = client.post(reverse("tickets:create", args=["incident"]), incident_values)
        assert response.status_code == 403

    def test_no_portal_page_is_exempt_from_csrf(self):
        from django.urls import get_resolver

        views = [
            route.callback
            for include in get_resolver().url_patterns
            if getattr(include, "app_name", None) in ("accounts", "tickets")
            for route in include.url_patterns
        ]
        assert len(views) >= 12
        assert [view for view in views if getattr(view, "csrf_exempt", False)] == []
