"""Who may call the API: bearer tokens, their refusal (401/403) and the per-token rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import ApiClient, api_for, errors_of
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import issue_token, revoke_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/ticket-types"


def assert_refused(response, message_start: str, challenge: str) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == challenge
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"].startswith(message_start)


def test_a_request_without_a_token_is_401_with_a_bearer_challenge(client):
    assert_refused(client.get(URL), "Send your API token in the Authorization header", 'Bearer realm="api"')


def test_another_authorization_scheme_is_401(client):
    response = client.get(URL, headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert_refused(response, "Send your API token in the Authorization header", 'Bearer realm="api"')


def test_an_unknown_token_is_401_invalid_token(client, customer):
    secret = issue_token(customer, "real").secret
    response = client.get(URL, headers={"Authorization": f"Bearer {secret[:-1]}x"})
    assert_refused(response, "This API token is not valid.", 'Bearer realm="api", error="invalid_token"')


def test_a_revoked_token_is_401_and_says_so(client, customer):
    issued = issue_token(customer, "old")
    revoke_token(customer, issued.token.pk)
    response = client.get(URL, headers={"Authorization": f"Bearer {issued.secret}"})
    assert_refused(response, "This API token was revoked.", 'Bearer realm="api", error="invalid_token"')


def test_a_deactivated_account_is_403(customer):
    api = api_for(customer)
    customer.is_active = False
    customer.save()
    response = api.get(URL)
    assert response.status_code == 403
    assert response.json() == {"detail": "This account is deactivated; its API tokens no longer work.", "errors": []}


def test_a_session_login_is_not_enough_for_the_api(client, customer):
    client.force_login(customer)
    assert client.get(URL).status_code == 401


def test_a_token_acts_as_its_user_and_records_its_last_use(customer):
    issued = issue_token(customer, "monitoring")
    assert issued.token.last_used_at is None
    api = ApiClient(Client(), issued.secret)
    assert api.get(URL).status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    assert timezone.now() - issued.token.last_used_at < timedelta(minutes=1)


class TestRateLimit:
    @pytest.fixture(autouse=True)
    def _frozen_clock(self, monkeypatch):
        self.now = 1_800_000_015.0  # 15 s into a minute
        monkeypatch.setattr("helpdesk_portal.ratelimit.clock", lambda: self.now)

    def test_a_token_over_its_limit_gets_429_with_retry_after(self, settings, api):
        settings.API_RATE_LIMIT = "3/minute"
        statuses = [api.get(URL).status_code for _ in range(3)]
        limited = api.get(URL)
        assert statuses == [200, 200, 200]
        assert limited.status_code == 429
        assert limited["Retry-After"] == "45"
        assert limited.json()["detail"] == "Too many requests with this token; wait for the time in Retry-After."

    def test_the_next_window_starts_afresh(self, settings, api):
        settings.API_RATE_LIMIT = "1/minute"
        assert [api.get(URL).status_code for _ in range(2)] == [200, 429]
        self.now += 45
        assert api.get(URL).status_code == 200

    def test_the_limit_counts_per_token(self, settings, api, customer):
        settings.API_RATE_LIMIT = "2/hour"
        api.get(URL), api.get(URL)
        assert api.get(URL).status_code == 429
        assert api_for(customer).get(URL).status_code == 200

    def test_posts_count_too_and_a_refused_post_stores_nothing(self, settings, api, incident_body):
        from tickets.models import Submission

        settings.API_RATE_LIMIT = "1/minute"
        assert api.post("/api/v1/submissions", incident_body).status_code == 201
        assert api.post("/api/v1/submissions", incident_body).status_code == 429
        assert Submission.objects.count() == 1


def test_bearer_tokens_need_no_csrf_token(customer, incident_body):
    api = ApiClient(Client(enforce_csrf_checks=True), issue_token(customer, "ci").secret)
    assert api.post("/api/v1/submissions", incident_body).status_code == 201


def test_a_token_is_never_written_to_the_log(caplog, settings, client, customer):
    settings.DEBUG = True  # ninja's own bearer check logs the header in DEBUG; ours must not
    secret = issue_token(customer, "x").secret
    client.get(URL, headers={"Authorization": f"Token {secret}"})
    client.get(URL, headers={"Authorization": f"Bearer {secret}x"})
    assert secret not in caplog.text
    assert not ApiToken.objects.filter(token_hash__contains=secret).exists()


def test_errors_of_helper_reads_the_documented_shape(api):
    # A 400 from a query parameter, to pin the error body every client parses.
    response = api.get("/api/v1/submissions", {"page_size": 1000})
    assert response.json()["detail"].startswith("The request has problems")
    assert errors_of(response) == [("page_size", "invalid_parameter")]


@pytest.mark.parametrize(("rate", "ok"), [("60/minute", True), ("1000/hour", True), ("5/s", True),
                                          ("fast", False), ("10/fortnight", False), ("0/minute", False)])
def test_a_malformed_rate_limit_is_reported_at_startup(settings, rate, ok):
    from api.apps import check_api_settings

    settings.API_RATE_LIMIT = rate
    assert (check_api_settings() == []) is ok
