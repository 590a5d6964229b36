"""/api/v1/: the ninja API, and a JSON 404 for every other path below it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from api.endpoints import api


def unknown_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(
        {"detail": _("There is no such endpoint. The API is described at /api/v1/docs."), "errors": []}, status=404
    )


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown_endpoint),
]
