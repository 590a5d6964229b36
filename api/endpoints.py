"""The REST API (django-ninja): routing, bearer-token auth, rate limit and the OpenAPI document.

Endpoints stay thin: filing goes through api.intake (and so the shared validation core),
output through api.presenters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Path, Query, Status
from ninja.decorators import decorate_view
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from api.errors import BodyTooLarge, install_error_handlers
from api.intake import file_submission
from api.presenters import active_platforms, submission_data, submission_detail_data, ticket_type_data
from api.ratelimit import TokenRateThrottle
from api.schemas import (
    ErrorOut,
    SubmissionDetailOut,
    SubmissionFilters,
    SubmissionIn,
    SubmissionPage,
    TicketTypeOut,
)
from api.tokens import check_secret
from tickets.models import Submission, TicketType

API_DESCRIPTION = """
File tickets for the Open-Xchange helpdesk and follow them until they reach support (Zammad).

**Authentication**: create a token on the portal's *API tokens* page and send it as
`Authorization: Bearer <token>`.

**Errors** are JSON: `{"detail": "...", "errors": [{"field": "...", "code": "...", "message": "..."}]}`.
A submission is checked by the same rules as the web form, so the codes and messages are the same.

**Retries**: send an `Idempotency-Key` header (e.g. a UUID) with `POST /submissions`. Repeating the
request with the same key returns the first submission with status 200 and
`Idempotent-Replayed: true` instead of filing it again.

**Rate limit**: each token may make a limited number of requests per window; beyond it the answer is
429 with `Retry-After` (seconds).
"""


class BearerToken(HttpBearer):
    """Authorization: Bearer <token>; remembers why a token was refused for the 401/403 answer."""

    def __call__(self, request: HttpRequest) -> Any:
        # ninja's own __call__ logs the whole header in DEBUG; a token must never reach a log.
        scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            request.api_auth_failure = "missing"  # type: ignore[attr-defined]
            return None
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        outcome = check_secret(token)
        if outcome.token is None:
            request.api_auth_failure = outcome.failure  # type: ignore[attr-defined]
            return None
        request.user = outcome.token.user
        return outcome.token


def limit_body_size(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized body from its Content-Length, before anything reads or parses it."""

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = int(settings.API_MAX_BODY_BYTES)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return api.on_exception(request, BodyTooLarge(limit))
        return run(request, *args, **kwargs)

    return checked


api = NinjaAPI(
    title="OX Helpdesk Portal API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api_v1",
    auth=BearerToken(),
    throttle=[TokenRateThrottle()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

COMMON_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


@api.get("/ticket-types", response={200: list[TicketTypeOut], **COMMON_ERRORS}, url_name="ticket_types", operation_id="listTicketTypes",
         summary="Ticket types you can open, with every field's policy, choices and help")
def list_ticket_types(request: HttpRequest) -> Any:
    platforms = active_platforms()
    return [ticket_type_data(ticket_type, platforms) for ticket_type in TicketType.objects.offered_to(request.user)]


@api.post("/submissions", response={200: SubmissionDetailOut, 201: SubmissionDetailOut, 413: ErrorOut, **COMMON_ERRORS},
          url_name="submissions", operation_id="createSubmission", summary="File a ticket",
          description=("201 with the new submission (and Location). With an Idempotency-Key used before by you: 200 "
                       "with the first submission and Idempotent-Replayed: true. 400 lists every field's problem; "
                       "413 when the body exceeds the size limit. Nothing is stored unless the answer is 201."))
@decorate_view(limit_body_size)
def create_submission(
    request: HttpRequest,
    response: HttpResponse,
    payload: SubmissionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                         description="Repeat a request safely: the same key returns the first submission."),
) -> Any:
    filed = file_submission(request.user, payload.model_dump(), idempotency_key)
    data = submission_detail_data(request, filed.submission)
    response["Location"] = data["url"]
    if filed.replayed:
        response["Idempotent-Replayed"] = "true"
        return Status(200, data)
    return Status(201, data)


@api.get("/submissions", response={200: SubmissionPage, **COMMON_ERRORS}, url_name="submission_list", operation_id="listSubmissions",
         summary="Your and your organisation's submissions, newest first")
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilters]) -> Any:
    submissions = Submission.objects.visible_to(request.user).select_related("ticket_type", "submitter")
    if filters.status:
        submissions = submissions.filter(status=filters.status)
    if filters.ticket_type:
        submissions = submissions.filter(ticket_type__slug=filters.ticket_type)
    count = submissions.count()
    # Past the last page is an empty page, not an error: a client paging on simply stops.
    start = (filters.page - 1) * filters.page_size
    items = list(submissions[start:start + filters.page_size]) if start < count else []
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [submission_data(request, submission) for submission in items],
    }


@api.get("/submissions/{reference}", response={200: SubmissionDetailOut, 404: ErrorOut, **COMMON_ERRORS},
         url_name="submission_detail", operation_id="getSubmission", summary="One submission with its delivery status and Zammad ticket")
def get_submission(request: HttpRequest, reference: str = Path(..., examples=["OXP-000001"])) -> Any:
    if "\x00" in reference:
        raise Http404
    submission = (
        Submission.objects.visible_to(request.user)
        .select_related("ticket_type", "submitter")
        .filter(reference=reference)
        .first()
    )
    # Another organisation's reference is a 404, the same as one that does not exist.
    if submission is None:
        raise Http404
    return submission_detail_data(request, submission)
