"""Re-queue deliveries lost by a crashed worker and refresh Zammad states (run every minute)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from delivery.sweep import sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", type=float, metavar="SECONDS", default=0,
            help="Repeat every SECONDS until stopped (development; production runs one pass from cron/systemd).",
        )

    def handle(self, *args: Any, loop: float, **options: Any) -> None:
        if loop <= 0:
            self.stdout.write(str(sweep()))
            return
        try:
            while True:
                close_old_connections()
                try:
                    report = sweep()
                except Exception:  # keep looping: the next pass may succeed (database restarted...)
                    logger.exception("Delivery sweep failed")
                else:
                    if options["verbosity"] > 1 or report.requeued or report.polled:
                        self.stdout.write(str(report))
                time.sleep(loop)
        except KeyboardInterrupt:
            pass
