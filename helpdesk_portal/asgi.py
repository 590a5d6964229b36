"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_portal.settings")
application = get_asgi_application()

from helpdesk_portal.startup import require_serving_configuration  # noqa: E402  (needs settings loaded)

require_serving_configuration()
