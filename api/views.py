"""The customer's API tokens page: list, create (shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from api.forms import TokenNameForm
from api.models import ApiToken
from api.tokens import issue_token, revoke_token


def _page(request: HttpRequest, form: TokenNameForm, secret: str = "", status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "new_secret": secret}
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenNameForm())


@never_cache  # the page that shows a new secret must not be kept by any cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenNameForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    issued = issue_token(request.user, form.cleaned_data["name"])
    # Rendered, not redirected: the secret exists only in this one response.
    return _page(request, TokenNameForm(), secret=issued.secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = revoke_token(request.user, pk)
    if token is None:
        raise Http404
    messages.success(request, _("The token “%(name)s” was revoked; requests with it are refused from now on.")
                     % {"name": token.name})
    return redirect("api_tokens:list")
