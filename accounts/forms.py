from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountRequest, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's wording calls both fields case-sensitive; here only the password is.
        "invalid_login": _("This email address and password do not match an account. Check the password; upper and lower case matter there."),
    }

    def clean_username(self) -> str:
        # Accounts are stored in lower case; people type their address as they like.
        return self.cleaned_data["username"].strip().lower()


class AccountRequestForm(forms.ModelForm):
    class Meta:
        model = AccountRequest
        fields = ["name", "email", "company", "license_key"]
        help_texts = {
            "email": _("We send the link to set your password to this address."),
            "license_key": _("Your OX license or support key, if you have one: it links you to your organisation."),
        }

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this address exists already. Use “Forgot password?” on the login page to set a new password."),
                code="exists",
            )
        if AccountRequest.objects.filter(email__iexact=email, status=AccountRequest.Status.PENDING).exists():
            raise forms.ValidationError(
                _("A request for this address is already waiting for support staff; you will get an email once it is approved."),
                code="pending",
            )
        return email

    def clean_license_key(self) -> str:
        return self.cleaned_data["license_key"].replace(" ", "").upper()


class AnyAccountPasswordResetForm(PasswordResetForm):
    """Also reaches accounts that never had a password (created by approval or by mail)."""

    def get_users(self, email: str) -> Iterator[User]:
        return iter(User.objects.filter(email__iexact=email.strip(), is_active=True))
