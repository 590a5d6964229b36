"""Customers, the organisations they belong to, and requests for new accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ProductGroup(models.Model):
    """A family of OX products; it decides which ticket types an organisation is offered."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class SLALevel(models.TextChoices):
        BASIC = "basic", _("Basic")
        STANDARD = "standard", _("Standard")
        PREMIUM = "premium", _("Premium")

    name = models.CharField(_("name"), max_length=200, unique=True)
    product_groups = models.ManyToManyField(ProductGroup, blank=True, verbose_name=_("product groups"))
    sla_level = models.CharField(_("SLA level"), max_length=20, choices=SLALevel.choices, default=SLALevel.STANDARD)
    is_ox_customer = models.BooleanField(
        _("registered OX customer"),
        default=True,
        help_text=_("Mail from members of a registered customer becomes a Support Request, otherwise a Service Request."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class LicenseKey(models.Model):
    class Kind(models.TextChoices):
        LICENSE = "license", _("License key")
        SUPPORT = "support", _("Support key")
        MIGRATION = "migration", _("Migration key")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="license_keys")
    key = models.CharField(_("license key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LICENSE)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("license key")
        verbose_name_plural = _("license keys")

    def __str__(self) -> str:
        return self.key

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # Keys are compared in upper case everywhere; store them that way.
        self.key = self.key.strip().upper()
        super().save(*args, **kwargs)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_email(self, email: str) -> User | None:
        """Find an account by email, ignoring case (mail clients change it freely)."""
        return self.filter(email__iexact=email.strip()).first()


class User(AbstractUser):
    """A portal account; customers log in with their email address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class AccountRequest(models.Model):
    """A stranger's request for a portal account, decided by staff in admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    company = models.CharField(_("company"), max_length=200)
    license_key = models.CharField(_("license key"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="account_requests"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def matching_organisation(self) -> Organisation | None:
        if not self.license_key:
            return None
        key = LicenseKey.objects.filter(key=self.license_key.strip().upper()).select_related("organisation").first()
        return key.organisation if key else None
