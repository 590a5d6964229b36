from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.forms import AccountRequestForm, AnyAccountPasswordResetForm, EmailAuthenticationForm
from accounts.services import notify_staff_of_request
from helpdesk_portal import ratelimit
from helpdesk_portal.client_ip import client_ip


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = AnyAccountPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@require_http_methods(["GET", "POST"])
def request_account(request: HttpRequest) -> HttpResponse:
    form = AccountRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rate = settings.ACCOUNT_REQUEST_RATE_LIMIT
        if not ratelimit.hit(f"account-request:{client_ip(request) or 'unknown'}", rate):
            minutes = max(1, round(ratelimit.seconds_until_next_window(rate) / 60))
            form.add_error(None, ngettext(
                "Too many account requests came from your network. Please try again in %(minutes)d minute.",
                "Too many account requests came from your network. Please try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes})
            return render(request, "accounts/request_account.html", {"form": form}, status=429)
        account_request = form.save()
        notify_staff_of_request(account_request)
        return redirect("accounts:request_sent")
    return render(request, "accounts/request_account.html", {"form": form})


def request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/request_sent.html")
