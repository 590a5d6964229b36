"""Helpers for the API tests: a test client that sends the bearer token and JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from accounts.models import User
from api.tokens import issue_token


class ApiClient:
    """Django's test client with the bearer token and JSON bodies filled in."""

    def __init__(self, client: Client, secret: str) -> None:
        self.client = client
        self.secret = secret

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}", **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, params or {}, headers=self.headers(headers))

    def post(self, path: str, body: Any, **headers: str) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(path, raw, content_type="application/json", headers=self.headers(headers))


def api_for(user: User) -> ApiClient:
    return ApiClient(Client(), issue_token(user, "tests").secret)


def errors_of(response: Any) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]
