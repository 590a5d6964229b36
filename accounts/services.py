"""Approve or reject account requests, and send the set-password link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from accounts.models import AccountRequest, User

logger = logging.getLogger(__name__)


class AlreadyDecided(Exception):
    pass


def set_password_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.PORTAL_BASE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


def approve_request(account_request: AccountRequest, *, decided_by: User | None) -> User:
    """Create the account (in the organisation owning the license key) and email a set-password link."""
    with transaction.atomic():
        locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
        if locked.status != AccountRequest.Status.PENDING:
            raise AlreadyDecided(locked.get_status_display())
        first_name, _sep, last_name = locked.name.strip().partition(" ")
        user = User.objects.get_by_email(locked.email)
        if user is None:
            user = User.objects.create_user(
                email=locked.email,
                password=None,
                first_name=first_name[:150],
                last_name=last_name[:150],
                organisation=locked.matching_organisation,
            )
        elif user.organisation is None and locked.matching_organisation is not None:
            user.organisation = locked.matching_organisation
            user.save(update_fields=["organisation"])
        locked.status = AccountRequest.Status.APPROVED
        locked.decided_at = timezone.now()
        locked.decided_by = decided_by
        locked.user = user
        locked.save()
        transaction.on_commit(lambda: _send_welcome(user))
    account_request.refresh_from_db()
    return user


def reject_request(account_request: AccountRequest, *, decided_by: User | None) -> None:
    updated = AccountRequest.objects.filter(pk=account_request.pk, status=AccountRequest.Status.PENDING).update(
        status=AccountRequest.Status.REJECTED, decided_at=timezone.now(), decided_by=decided_by
    )
    if not updated:
        raise AlreadyDecided(account_request.get_status_display())
    account_request.refresh_from_db()


def _send_welcome(user: User) -> None:
    context = {"user": user, "set_password_url": set_password_url(user), "login_url": settings.PORTAL_BASE_URL + reverse("accounts:login")}
    send_mail(
        subject=render_to_string("accounts/email/welcome_subject.txt", context).strip(),
        message=render_to_string("accounts/email/welcome.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    logger.info("Sent set-password link to user %s", user.pk)


def notify_staff_of_request(account_request: AccountRequest) -> None:
    if not settings.ACCOUNT_REQUEST_NOTIFY:
        return
    admin_url = settings.PORTAL_BASE_URL + reverse("admin:accounts_accountrequest_change", args=[account_request.pk])
    names = {"email": account_request.email, "name": account_request.name, "company": account_request.company}
    send_mail(
        subject=gettext("Account request from %(email)s") % names,
        message=gettext("%(name)s (%(company)s) asks for a portal account.") % names
        + "\n\n" + gettext("Review it: %(url)s") % {"url": admin_url} + "\n",
        from_email=None,
        recipient_list=settings.ACCOUNT_REQUEST_NOTIFY,
    )
