from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountRequest, LicenseKey, Organisation, ProductGroup, User
from accounts.services import AlreadyDecided, approve_request, reject_request


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class LicenseKeyInline(admin.TabularInline):
    model = LicenseKey
    extra = 1


class MemberInline(admin.TabularInline):
    model = User
    fields = ["email", "first_name", "last_name", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sla_level", "is_ox_customer", "product_group_names"]
    list_filter = ["sla_level", "is_ox_customer", "product_groups"]
    search_fields = ["name", "license_keys__key"]
    filter_horizontal = ["product_groups"]
    inlines = [LicenseKeyInline, MemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).prefetch_related("product_groups")

    @admin.display(description=_("product groups"))
    def product_group_names(self, obj: Organisation) -> str:
        return ", ".join(group.name for group in obj.product_groups.all())


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "organisation"]
    search_fields = ["email", "first_name", "last_name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "organisation")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "organisation", "password1", "password2")}),)


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "company", "license_key", "known_organisation", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["email", "name", "company", "license_key"]
    readonly_fields = ["status", "created_at", "decided_at", "decided_by", "user", "known_organisation"]
    actions = ["approve", "reject"]

    @admin.display(description=_("organisation of the key"))
    def known_organisation(self, obj: AccountRequest) -> str:
        organisation = obj.matching_organisation
        return organisation.name if organisation else "—"

    @admin.action(description=_("Approve: create the account and email a set-password link"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AccountRequest]) -> None:
        done = self._decide(request, queryset, approve_request)
        if done:
            self.message_user(request, ngettext(
                "Approved %(count)d request; it got a set-password email.",
                "Approved %(count)d requests; each got a set-password email.",
                done,
            ) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Reject"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AccountRequest]) -> None:
        done = self._decide(request, queryset, reject_request)
        if done:
            self.message_user(request, ngettext(
                "Rejected %(count)d request.", "Rejected %(count)d requests.", done
            ) % {"count": done}, messages.SUCCESS)

    def _decide(self, request: HttpRequest, queryset: QuerySet[AccountRequest], decide: Callable[..., object]) -> int:
        """Apply approve/reject to each pending request; report the ones decided before."""
        done = 0
        for account_request in queryset:
            try:
                decide(account_request, decided_by=request.user)
                done += 1
            except AlreadyDecided as exc:
                self.message_user(request, gettext("Left as it was: the request of %(email)s is already %(status)s.")
                                  % {"email": account_request.email, "status": str(exc).lower()}, messages.WARNING)
        return done
