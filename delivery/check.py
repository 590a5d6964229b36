"""Diagnose the Zammad configuration in plain words (used by `manage.py zammad_check`).

Each check probes the call forwarding really makes, with the configured credential, so a
missing permission shows up here rather than as a failed submission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from delivery.mapping import known_custom_source
from delivery.zammad import build_client
from tickets.models import TicketType
from zammad_client import ZammadClient, ZammadError, ZammadUnavailable

PROBE_EMAIL = "zammad-check@example.invalid"
PROBE_TAG = "portal-zammad-check"


class Level(StrEnum):
    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass
class Report:
    findings: list[tuple[Level, str]] = field(default_factory=list)

    def add(self, level: Level, text: str) -> None:
        self.findings.append((level, text))

    @property
    def forwarding_would_fail(self) -> bool:
        return any(level == Level.ERROR for level, _text in self.findings)


def check_zammad(client_factory: Callable[[], ZammadClient] = build_client) -> Report:
    report = Report()
    if not settings.ZAMMAD_URL:
        report.add(Level.ERROR, _("ZAMMAD_URL is not set: submissions stay queued and nothing is forwarded."))
        return report
    if not (settings.ZAMMAD_TOKEN or settings.ZAMMAD_OAUTH_TOKEN or settings.ZAMMAD_HTTP_USER):
        report.add(Level.ERROR, _("No credential: set ZAMMAD_TOKEN (or ZAMMAD_OAUTH_TOKEN, or ZAMMAD_HTTP_USER and "
                                  "ZAMMAD_HTTP_PASSWORD)."))
        return report
    client = client_factory()
    try:
        if _check_login(report, client):
            _check_permissions(report, client)
            _check_names(report, "groups", client, _configured_groups())
            _check_names(report, "priorities", client, _configured_priorities())
            _check_custom_attributes(report, client)
            _report_status_updates(report)
    finally:
        client.close()
    return report


def _check_login(report: Report, client: ZammadClient) -> bool:
    try:
        me = client.me()
    except ZammadUnavailable as exc:
        report.add(Level.ERROR, _("Cannot reach Zammad at %(url)s: %(error)s") % {"url": settings.ZAMMAD_URL, "error": exc.message})
        return False
    except ZammadError as exc:
        report.add(Level.ERROR, _("Zammad at %(url)s refused the credential: %(error)s. Check ZAMMAD_URL and the token.")
                   % {"url": settings.ZAMMAD_URL, "error": exc.message})
        return False
    roles = ", ".join(me.roles or []) or _("unknown")
    report.add(Level.OK, _("Connected to %(url)s as %(login)s (roles: %(roles)s).")
               % {"url": settings.ZAMMAD_URL, "login": me.login or me.email, "roles": roles})
    if settings.ZAMMAD_ACT_AS_CUSTOMER and me.roles is not None and "Admin" not in me.roles:
        report.add(Level.WARNING, _("ZAMMAD_ACT_AS_CUSTOMER is on, which needs the admin.user permission; this user "
                                    "has no Admin role, so Zammad may answer 403."))
    return True


def _check_permissions(report: Report, client: ZammadClient) -> None:
    probes: list[tuple[str, Callable[[], Any]]] = [
        (_("look up customers by email (needs ticket.agent or admin.user)"), lambda: client.find_user_by_email(PROBE_EMAIL)),
        (_("search tickets by tag, which prevents duplicates after a timeout (needs ticket.agent)"),
         lambda: client.find_ticket_by_tag(PROBE_TAG)),
        (_("read ticket states (needs ticket.agent)"), client.get_ticket_states),
    ]
    for purpose, probe in probes:
        try:
            probe()
        except ZammadError as exc:
            report.add(Level.ERROR, _("Missing permission: cannot %(purpose)s: %(error)s") % {"purpose": purpose, "error": exc.message})
        else:
            report.add(Level.OK, _("Can %(purpose)s.") % {"purpose": purpose})


def _configured_groups() -> dict[str, list[str]]:
    """Group name -> the ticket types that go there."""
    groups: dict[str, list[str]] = {settings.ZAMMAD_DEFAULT_GROUP: [_("default")]}
    for slug, group in settings.ZAMMAD_GROUPS.items():
        groups.setdefault(group, []).append(slug)
    return groups


def _configured_priorities() -> dict[str, list[str]]:
    priorities: dict[str, list[str]] = {settings.ZAMMAD_DEFAULT_PRIORITY: [_("default")]}
    for severity, priority in settings.ZAMMAD_PRIORITIES.items():
        priorities.setdefault(priority, []).append(_("severity %(level)s") % {"level": severity})
    return priorities


def _check_names(report: Report, kind: str, client: ZammadClient, wanted: dict[str, list[str]]) -> None:
    lister = client.list_groups if kind == "groups" else client.list_priorities
    label = _("Group") if kind == "groups" else _("Priority")
    try:
        existing = {item.name: item.active for item in lister()}
    except ZammadError as exc:
        report.add(Level.ERROR, _("Cannot list Zammad's %(kind)s: %(error)s") % {"kind": kind, "error": exc.message})
        return
    for name, used_by in wanted.items():
        context = {"kind": label, "name": name, "used_by": ", ".join(used_by)}
        if existing.get(name):
            report.add(Level.OK, _("%(kind)s: “%(name)s” exists (%(used_by)s).") % context)
        else:
            report.add(Level.ERROR, _("%(kind)s: “%(name)s” (%(used_by)s) does not exist or is inactive in Zammad; "
                                      "those tickets would be rejected.") % context)
    if kind == "groups":
        slugs = set(TicketType.objects.values_list("slug", flat=True))
        for slug in sorted(set(settings.ZAMMAD_GROUPS) - slugs):
            report.add(Level.WARNING, _("ZAMMAD_GROUPS names “%(slug)s”, which is not a ticket type of the portal.") % {"slug": slug})


def _check_custom_attributes(report: Report, client: ZammadClient) -> None:
    mapping = settings.ZAMMAD_CUSTOM_FIELDS
    if not mapping:
        report.add(Level.INFO, _("No custom attributes mapped (ZAMMAD_CUSTOM_FIELDS); every field is in the article body."))
        return
    for portal_field in mapping:
        if not known_custom_source(portal_field):
            report.add(Level.WARNING, _("ZAMMAD_CUSTOM_FIELDS names “%(field)s”, which is not a field of the portal.") % {"field": portal_field})
    try:
        attributes = {attribute.name: attribute.active for attribute in client.list_ticket_attributes()}
    except ZammadError as exc:
        report.add(Level.WARNING, _("Cannot list ticket attributes to check ZAMMAD_CUSTOM_FIELDS (needs admin.object): "
                                    "%(error)s") % {"error": exc.message})
        return
    for portal_field, attribute in mapping.items():
        if attributes.get(attribute):
            report.add(Level.OK, _("Custom attribute “%(attribute)s” exists (for %(field)s).")
                       % {"attribute": attribute, "field": portal_field})
        else:
            report.add(Level.WARNING, _("Custom attribute “%(attribute)s” (for %(field)s) does not exist or is inactive: "
                                        "Zammad silently drops its value (it is still in the article body).")
                       % {"attribute": attribute, "field": portal_field})


def _report_status_updates(report: Report) -> None:
    if settings.ZAMMAD_WEBHOOK_SECRET:
        report.add(Level.INFO, _("Ticket states come from the Zammad webhook at %(url)s/zammad/webhook/.")
                   % {"url": settings.PORTAL_BASE_URL})
    else:
        report.add(Level.INFO, _("No ZAMMAD_WEBHOOK_SECRET: delivery_sweep polls open tickets' states every "
                                 "%(minutes)g minutes.") % {"minutes": settings.ZAMMAD_POLL_MINUTES})
