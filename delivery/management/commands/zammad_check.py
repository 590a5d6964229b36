"""Tell an operator whether forwarding to the configured Zammad would work; exit 1 when it would fail."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from delivery.check import Level, check_zammad


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        report = check_zammad()
        styles = {
            Level.OK: self.style.SUCCESS, Level.INFO: str, Level.WARNING: self.style.WARNING, Level.ERROR: self.style.ERROR,
        }
        for level, text in report.findings:
            self.stdout.write(styles[level](f"{level.upper():8} {text}"))
        if report.forwarding_would_fail:
            self.stderr.write(self.style.ERROR(_("Forwarding to Zammad would fail: fix the errors above.")))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(_("Forwarding to Zammad should work.")))
