"""The endpoint Zammad's webhook (fired by a trigger) calls when a ticket changes."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from delivery.webhook import WebhookPayloadError, apply_webhook, signature_is_valid


@csrf_exempt  # Zammad cannot send a CSRF token; the HMAC signature authenticates the call.
@require_POST
def zammad_webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.ZAMMAD_WEBHOOK_SECRET
    if not secret:
        raise Http404(_("The Zammad webhook is not enabled."))
    if not signature_is_valid(request.body, request.headers.get("X-Hub-Signature"), secret):
        return JsonResponse({"error": _("Missing or invalid X-Hub-Signature.")}, status=403)
    try:
        result = apply_webhook(request.body, request.headers.get("X-Zammad-Delivery", ""))
    except WebhookPayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"status": result})
