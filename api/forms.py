from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenNameForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say where the token is used, e.g. “Nagios on mon01”, so you know which one to revoke."),
        error_messages={"required": _("Give the token a name, so you can tell it apart later.")},
    )
