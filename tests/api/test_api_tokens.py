"""Customers' API tokens: created on the profile page or by command, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from api_helpers import ApiClient
from django.core.management import CommandError, call_command
from django.test import Client

from api.models import ApiToken
from api.tokens import issue_token

pytestmark = pytest.mark.django_db

PAGE = "/api-tokens/"
TOKEN = re.compile(r"oxp_[A-Za-z0-9_-]{43}")


def test_a_token_is_stored_only_as_its_sha256(customer):
    issued = issue_token(customer, "Nagios")
    row = ApiToken.objects.values().get()
    assert TOKEN.fullmatch(issued.secret)
    assert row["token_hash"] == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert row["prefix"] == issued.secret[:12]
    assert not any(issued.secret in str(value) for value in row.values())


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_creates_a_token_shows_it_once_and_it_works(client, customer):
    client.force_login(customer)
    response = client.post(f"{PAGE}new/", {"name": "Nagios on mon01"})
    page = response.content.decode()
    [secret] = TOKEN.findall(page)
    assert "shown only this once" in page
    assert "no-store" in response["Cache-Control"]
    assert ApiToken.objects.get().name == "Nagios on mon01"
    assert ApiClient(Client(), secret).get("/api/v1/ticket-types").status_code == 200
    assert secret not in client.get(PAGE).content.decode()


def test_the_page_lists_name_prefix_created_and_last_use(client, customer):
    used = issue_token(customer, "Used one")
    issue_token(customer, "Fresh one")
    ApiClient(Client(), used.secret).get("/api/v1/ticket-types")
    client.force_login(customer)
    page = client.get(PAGE).content.decode()
    assert "Used one" in page and "Fresh one" in page
    assert f"{used.token.prefix}…" in page
    assert page.count(">never<") == 1  # only the fresh token was never used
    assert not TOKEN.search(page)


def test_a_token_needs_a_name(client, customer):
    client.force_login(customer)
    response = client.post(f"{PAGE}new/", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name, so you can tell it apart later." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token(client, customer):
    issued = issue_token(customer, "CI")
    client.force_login(customer)
    response = client.post(f"{PAGE}{issued.token.pk}/revoke/", follow=True)
    assert "The token “CI” was revoked" in response.content.decode()
    assert ApiClient(Client(), issued.secret).get("/api/v1/ticket-types").status_code == 401


def test_nobody_can_revoke_another_users_token(client, customer, colleague):
    theirs = issue_token(colleague, "Bob's")
    client.force_login(customer)
    assert client.post(f"{PAGE}{theirs.token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_creating_and_revoking_need_the_csrf_token(customer):
    issued = issue_token(customer, "CI")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    assert browser.post(f"{PAGE}new/", {"name": "x"}).status_code == 403
    assert browser.post(f"{PAGE}{issued.token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_the_page_is_in_the_navigation(client, customer):
    client.force_login(customer)
    assert f'href="{PAGE}">API tokens<' in client.get("/tickets/").content.decode()


class TestCommand:
    def test_it_prints_a_working_token_alone_on_stdout(self, customer):
        out, err = StringIO(), StringIO()
        call_command("create_api_token", "ALICE@acme.example", "--name", "Zabbix", stdout=out, stderr=err)
        secret = out.getvalue().strip()
        assert TOKEN.fullmatch(secret)
        assert "shown only now" in err.getvalue()
        token = ApiToken.objects.get()
        assert (token.user, token.name) == (customer, "Zabbix")
        assert ApiClient(Client(), secret).get("/api/v1/ticket-types").status_code == 200

    def test_it_refuses_an_unknown_email(self):
        with pytest.raises(CommandError, match="No account has the email address nobody@example.com."):
            call_command("create_api_token", "nobody@example.com", stdout=StringIO())
        assert not ApiToken.objects.exists()
