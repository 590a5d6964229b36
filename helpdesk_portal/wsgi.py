"""WSGI entry point (gunicorn helpdesk_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_portal.settings")
application = get_wsgi_application()

from helpdesk_portal.startup import require_serving_configuration  # noqa: E402  (needs settings loaded)

require_serving_configuration()
