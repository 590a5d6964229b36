"""Give the API's bare 405 answers the same JSON error body as every other API error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"


class JsonMethodNotAllowedMiddleware:
    """ninja answers a wrong HTTP method with a plain-text 405; clients parse JSON everywhere else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith(API_PREFIX):
            return response
        allowed = response.get("Allow", "")
        json_response = JsonResponse(
            {"detail": _("This endpoint does not accept %(method)s. Allowed: %(allowed)s.")
             % {"method": request.method, "allowed": allowed}, "errors": []},
            status=405,
        )
        json_response["Allow"] = allowed
        return json_response
