"""Customer pages: choose a ticket type, fill its form, read the history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tickets.catalogue import FIELDS, SEVERITY_CHOICES, SEVERITY_DEFINITIONS
from tickets.forms import SubmissionForm
from tickets.models import Submission, TicketType
from tickets.services import create_submission
from tickets.timeparse import zone_for_label

PAGE_SIZE = 25


@login_required
def type_list(request: HttpRequest) -> HttpResponse:
    types = TicketType.objects.offered_to(request.user)
    return render(request, "tickets/type_list.html", {"ticket_types": types})


@login_required
@require_http_methods(["GET", "POST"])
def submission_create(request: HttpRequest, slug: str) -> HttpResponse:
    ticket_type = get_object_or_404(TicketType.objects.offered_to(request.user), slug=slug)
    # Bound on every POST, even an empty one, so a blank submit shows the missing fields.
    bound = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = SubmissionForm(*bound, ticket_type=ticket_type, user=request.user)
    if request.method == "POST" and form.is_valid():
        assert form.result is not None
        submission = create_submission(
            user=request.user, ticket_type=ticket_type, result=form.result, channel=Submission.Channel.WEB
        )
        messages.success(
            request,
            _("Thank you. Your request %(reference)s was received and is being passed to OX support.")
            % {"reference": submission.reference},
        )
        return redirect(submission)
    return render(
        request,
        "tickets/submission_form.html",
        {"form": form, "ticket_type": ticket_type},
    )


@login_required
def submission_list(request: HttpRequest) -> HttpResponse:
    submissions = Submission.objects.visible_to(request.user).select_related("ticket_type", "submitter")
    filters = {
        "status": request.GET.get("status", ""),
        "type": request.GET.get("type", ""),
        "severity": request.GET.get("severity", ""),
        "q": request.GET.get("q", "").strip(),
    }
    if filters["status"] in Submission.Status.values:
        submissions = submissions.filter(status=filters["status"])
    if filters["type"]:
        submissions = submissions.filter(ticket_type__slug=filters["type"])
    if filters["severity"] in {"1", "2", "3", "4"}:
        submissions = submissions.filter(severity=int(filters["severity"]))
    if filters["q"]:
        query = filters["q"]
        submissions = submissions.filter(
            Q(subject__icontains=query) | Q(reference__iexact=query) | Q(zammad_ticket_number=query)
        )
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "tickets/submission_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Submission.Status.choices,
            "ticket_types": TicketType.objects.filter(is_active=True),
            "severities": SEVERITY_CHOICES,
            "query_without_page": query_without_page.urlencode(),
        },
    )


def _visible_submission(request: HttpRequest, reference: str) -> Submission:
    # Another organisation's reference is a 404, the same as one that does not exist. Staff who
    # may view submissions in admin follow its links here (to the attachments) and see them all.
    if request.user.is_staff and request.user.has_perm("tickets.view_submission"):
        submissions = Submission.objects.all()
    else:
        submissions = Submission.objects.visible_to(request.user)
    return get_object_or_404(
        submissions.select_related("ticket_type", "submitter", "organisation"), reference=reference
    )


@login_required
def submission_detail(request: HttpRequest, reference: str) -> HttpResponse:
    submission = _visible_submission(request, reference)
    rows = []
    for template_field in FIELDS:
        name = template_field.name
        if name in ("subject", "attachments"):
            continue
        value = getattr(submission, name)
        if name in ("environment", "end_user_impact") and value:
            # The translated label ("All users"), not the stored value ("All").
            value = getattr(submission, f"get_{name}_display")()
        if name == "severity" and value:
            value = SEVERITY_DEFINITIONS[value][0]
        if name == "tested_at" and value:
            # Shown in the zone the customer gave, not the server's.
            value = f"{value.astimezone(zone_for_label(submission.tested_at_tz)):%Y-%m-%d %H:%M} ({submission.tested_at_tz})"
        if value in ("", None):
            continue
        rows.append((template_field.label, value, name))
    return render(
        request,
        "tickets/submission_detail.html",
        {"submission": submission, "rows": rows, "attachments": submission.attachments.all()},
    )


@login_required
def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    submission = _visible_submission(request, reference)
    attachment = submission.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always a download, never rendered inline: an uploaded HTML or SVG must not run in our origin.
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
