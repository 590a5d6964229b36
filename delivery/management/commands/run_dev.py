"""Run the portal for development: web server, delivery worker, delivery sweep and, without ZAMMAD_URL, the Zammad stand-in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

STANDIN_PORT = 8765
STANDIN_TOKEN = "standin-dev-token"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        env = dict(os.environ)
        # Links in emails and in Zammad articles should point at this server, not the default port.
        env.setdefault("PORTAL_BASE_URL", f"http://127.0.0.1:{port}")
        children: list[subprocess.Popen[bytes]] = []
        if not settings.ZAMMAD_URL:
            env["ZAMMAD_URL"] = f"http://127.0.0.1:{STANDIN_PORT}"
            env["ZAMMAD_TOKEN"] = STANDIN_TOKEN
            self.stdout.write(self.style.WARNING(
                f"ZAMMAD_URL is not set: starting the bundled Zammad stand-in on {env['ZAMMAD_URL']}.\n"
                f"  Tickets it receives: {env['ZAMMAD_URL']}/_standin/tickets\n"
                "  Set ZAMMAD_URL and ZAMMAD_TOKEN to forward to a real Zammad."
            ))
            children.append(subprocess.Popen(
                [sys.executable, "-m", "zammad_standin", "--port", str(STANDIN_PORT), "--token", STANDIN_TOKEN], env=env
            ))
        else:
            self.stdout.write(f"Forwarding to Zammad at {settings.ZAMMAD_URL}.")
        children.append(subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"], env=env))
        # django-tasks has no scheduler: production runs `delivery_sweep` from cron every minute.
        children.append(subprocess.Popen([sys.executable, "manage.py", "delivery_sweep", "--loop", "30"], env=env))
        self.stdout.write(self.style.SUCCESS(f"Portal: http://127.0.0.1:{port}/  (Ctrl-C stops everything)"))
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"], env=env)
        children.append(web)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
