"""Every API error is JSON: {"detail": "...", "errors": [{"field", "code", "message"}, ...]}."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from tickets.validation import Problem

if TYPE_CHECKING:
    from ninja import NinjaAPI


class InvalidRequest(Exception):
    """The request was understood but breaks the rules; nothing was stored."""

    def __init__(self, problems: Iterable[Problem], detail: str = "") -> None:
        self.problems = list(problems)
        self.detail = detail
        super().__init__(self.problems)


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(limit)


class ApiForbidden(Exception):
    pass


def error_body(detail: str, problems: Iterable[Problem] = ()) -> dict[str, Any]:
    # Problems about the request as a whole carry field null.
    return {"detail": detail, "errors": [{**p.as_dict(), "field": p.field or None} for p in problems]}


def auth_failure_message(failure: str) -> str:
    if failure == "invalid":
        return _("This API token is not valid. Check that you copied it completely, or create a new one "
                 "on the API tokens page of the portal.")
    if failure == "revoked":
        return _("This API token was revoked. Create a new one on the API tokens page of the portal.")
    return _("Send your API token in the Authorization header: “Authorization: Bearer <token>”.")


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so every failure has the same JSON shape."""

    def respond(request: HttpRequest, status: int, detail: str, problems: Iterable[Problem] = ()) -> HttpResponse:
        return api.create_response(request, error_body(detail, problems), status=status)

    def on_invalid(request: HttpRequest, exc: InvalidRequest) -> HttpResponse:
        detail = exc.detail or _("The request has problems; fix the fields listed in “errors” and send it again.")
        return respond(request, 400, detail, exc.problems)

    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return on_invalid(request, InvalidRequest(problems_from_schema_errors(exc.errors)))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        failure = getattr(request, "api_auth_failure", "missing")
        if failure == "inactive_user":
            return respond(request, 403, _("This account is deactivated; its API tokens no longer work."))
        response = respond(request, 401, auth_failure_message(failure))
        challenge = 'Bearer realm="api"'
        if failure in ("invalid", "revoked"):
            challenge += ', error="invalid_token"'
        response["WWW-Authenticate"] = challenge
        return response

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, _("Too many requests with this token; wait for the time in Retry-After."))

    def on_too_large(request: HttpRequest, exc: BodyTooLarge) -> HttpResponse:
        return respond(request, 413, too_large_message(exc.limit))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, RequestDataTooBig):
            return on_too_large(request, BodyTooLarge(0))
        if exc.status_code == 400:
            problem = Problem("", "malformed_json", _("The request body is not valid JSON (UTF-8)."))
            return respond(request, 400, problem.message, [problem])
        return respond(request, exc.status_code, str(exc))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _("Not found. A submission of another organisation is not found either."))

    def on_forbidden(request: HttpRequest, exc: ApiForbidden) -> HttpResponse:
        return respond(request, 403, str(exc))

    api.add_exception_handler(InvalidRequest, on_invalid)
    api.add_exception_handler(NinjaValidationError, on_schema_error)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(BodyTooLarge, on_too_large)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ApiForbidden, on_forbidden)
    api.add_exception_handler(RequestDataTooBig, lambda request, exc: on_too_large(request, BodyTooLarge(0)))


def too_large_message(limit: int) -> str:
    if not limit:
        return _("The request body is too large.")
    return _("The request body is larger than %(max)d bytes; send fewer or smaller attachments.") % {"max": limit}


_TYPE_NAMES = {
    "string_type": gettext_noop("a JSON string"),
    "bool_type": gettext_noop("true or false"),
    "bool_parsing": gettext_noop("true or false"),
    "list_type": gettext_noop("a JSON list"),
    "model_type": gettext_noop("a JSON object"),
    "model_attributes_type": gettext_noop("a JSON object"),
    "dict_type": gettext_noop("a JSON object"),
}


def problems_from_schema_errors(errors: list[dict[str, Any]]) -> list[Problem]:
    """Translate pydantic's errors (types, unknown fields, query parameters) into our shape, one per field."""
    problems: dict[str | None, Problem] = {}
    for error in errors:
        field = _field_of(tuple(error.get("loc", ())))
        if field in problems:
            continue
        problems[field] = _problem_for(field, str(error.get("type", "")), tuple(error.get("loc", ())))
    return list(problems.values())


def _field_of(loc: tuple[Any, ...]) -> str | None:
    if not loc:
        return None
    if loc[0] == "body":
        return str(loc[2]) if len(loc) > 2 else None
    # Query and header parameters: ninja's loc is (source, name) or (source, model, name).
    return str(loc[-1]) if len(loc) > 1 else None


def _problem_for(field: str | None, error_type: str, loc: tuple[Any, ...]) -> Problem:
    if field is None:
        return Problem("", "invalid_body", _("Send the submission as a JSON object in the request body."))
    if loc and loc[0] == "query":
        return Problem(field, "invalid_parameter", _query_message(field))
    if error_type == "extra_forbidden":
        return Problem(field, "unknown_field", _(
            "“%(field)s” is not a field of a submission; check its spelling against GET /api/v1/ticket-types."
        ) % {"field": field[:100]})
    if field == "severity":
        return Problem(field, "invalid_type", _("Send the severity as a number from 1 to 4, or as a string such as \"2\"."))
    if field == "attachments":
        return Problem(field, "invalid_type", _(
            "Send attachments as a list of objects with filename, content_type and content_base64."
        ))
    expected = _TYPE_NAMES.get(error_type, gettext_noop("a JSON string"))
    return Problem(field, "invalid_type", _("Send %(field)s as %(expected)s.") % {"field": field, "expected": _(expected)})


def _query_message(field: str) -> str:
    hints = {
        "page": _("a whole number from 1 to 1000000"),
        "page_size": _("a whole number from 1 to 100"),
        "status": _("one of received, needs_info, queued, sending, forwarded, failed"),
        "ticket_type": _("a ticket type slug such as incident"),
    }
    return _("The query parameter “%(field)s” must be %(hint)s.") % {
        "field": field, "hint": hints.get(field, _("valid"))}
