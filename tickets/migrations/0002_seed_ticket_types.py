"""Seed product groups, the OX ticket types with their field policies, and the platform list.

Staff can edit all of it in admin afterwards; this only gives a sensible start.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

R, O, H = "required", "optional", "hidden"
ALL_FIELDS = [
    "license_key", "organisation_name", "server", "server_version", "platform", "environment",
    "gui_version", "severity", "end_user_impact", "track_id", "recent_changes", "description",
    "steps_to_reproduce", "client", "tested_at", "current_behaviour", "expected_behaviour",
    "test_account", "attachments",
]


def policy(required=(), optional=()):
    return {name: R if name in required else O if name in optional else H for name in ALL_FIELDS}


TECHNICAL = policy(
    required=(
        "license_key", "server", "server_version", "platform", "environment", "severity",
        "end_user_impact", "recent_changes", "description", "steps_to_reproduce", "tested_at",
        "current_behaviour", "expected_behaviour",
    ),
    optional=("gui_version", "track_id", "client", "test_account", "attachments"),
)
DESCRIPTIVE = policy(required=("description",), optional=("license_key", "track_id", "attachments"))

PRODUCT_GROUPS = [
    ("on-premise", "On-premise products", "OX App Suite, OX Dovecot Pro and PowerDNS run by the customer."),
    ("cloud", "Cloud / hosted", "OX services hosted and operated by Open-Xchange."),
]

# Names and descriptions are marked for translation; the portal shows them translated.
# slug, name, description, product groups, offered to every account, policy, key must match organisation
TICKET_TYPES = [
    ("incident", gettext_noop("Incident"),
     gettext_noop("Your service built on OX software is degraded or down because of the OX product. Support helps "
     "restore service first and then looks for the root cause."),
     ["on-premise", "cloud"], False, TECHNICAL, True),
    ("problem", gettext_noop("Problem"),
     gettext_noop("A bug in the software, or a past incident whose cause needs to be found and fixed so it does not "
     "happen again."),
     ["on-premise"], False, TECHNICAL, True),
    ("support-request", gettext_noop("Support Request"),
     gettext_noop("A general support question about an OX software product you run on your own premises."),
     ["on-premise"], False, TECHNICAL, True),
    ("single-user-issue", gettext_noop("Single User Issue"),
     gettext_noop("Like an incident, but only one end user is affected."),
     ["on-premise", "cloud"], False,
     {**TECHNICAL, "end_user_impact": O, "test_account": R}, True),
    ("feature-request", gettext_noop("Feature Request"),
     gettext_noop("An idea for functionality a product does not have yet."),
     ["on-premise", "cloud"], False, DESCRIPTIVE, True),
    ("feedback", gettext_noop("Feedback"),
     gettext_noop("Any feedback on OX products or support services."),
     [], True, DESCRIPTIVE, True),
    ("helpdesk-issue", gettext_noop("Helpdesk Issue"),
     gettext_noop("A problem with this helpdesk itself, or a wish for more helpdesk functionality."),
     [], True, policy(required=("description",), optional=("attachments",)), True),
    ("service-request", gettext_noop("Service Request"),
     gettext_noop("A request for a service from OX, for example information, access or a task for OX staff."),
     ["cloud"], True,
     policy(required=("description",), optional=("license_key", "server", "environment", "severity", "track_id", "attachments")),
     True),
    ("organisation-setup", gettext_noop("Organisation Setup"),
     gettext_noop("Link your account to your organisation, so you see its tickets and its SLA applies. Support checks "
     "the license key and that you may act for the organisation."),
     [], True, policy(required=("license_key", "organisation_name", "description")), False),
    ("change-request", gettext_noop("Change Request"),
     gettext_noop("Ask OX to change the configuration of a hosted service: what should change, why, and for which "
     "server or tenant."),
     ["cloud"], False,
     policy(required=("license_key", "server", "environment", "description"),
            optional=("severity", "track_id", "recent_changes", "attachments")),
     True),
]

PLATFORMS = [
    "Debian 11", "Debian 12", "RHEL 8 and clones", "RHEL 9 and clones", "SLES 15", "Ubuntu LTS",
    "UCS", "Kubernetes / containers", "Other",
]


def seed(apps, schema_editor):
    ProductGroup = apps.get_model("accounts", "ProductGroup")
    TicketType = apps.get_model("tickets", "TicketType")
    Platform = apps.get_model("tickets", "Platform")
    groups = {}
    for slug, name, description in PRODUCT_GROUPS:
        groups[slug], _ = ProductGroup.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for position, (slug, name, description, group_slugs, to_all, field_policy, must_match) in enumerate(TICKET_TYPES):
        ticket_type, created = TicketType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name, "description": description, "offered_to_all": to_all,
                "field_policy": field_policy, "license_key_must_match_organisation": must_match,
                "position": position,
            },
        )
        if created:
            ticket_type.product_groups.set([groups[g] for g in group_slugs])
    for position, name in enumerate(PLATFORMS):
        Platform.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
