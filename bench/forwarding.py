"""Forwarding benchmark (not a test): run `.venv/bin/python bench/forwarding.py` from the project root.

Measures, in one run and against baselines taken in that same run:
1. submit latency of the web form with Zammad up vs down (the request must not wait for Zammad);
2. forwarding throughput against stand-in latency and the number of `db_worker` processes.
Writes the figures to docs/benchmarks.md. Uses a throw-away SQLite file, or the database in
--database-url (e.g. postgres://postgres@127.0.0.1:5432/bench_portal: a throw-away database, the
benchmark deletes rows in it) for a PostgreSQL run.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Django models can only be imported after django.setup()
    from accounts.models import User
    from zammad_standin import StandIn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOKEN = "bench-token"
LATENCIES = (0.0, 0.05, 0.2)
WORKER_COUNTS = (1, 4)


def configure_environment(database_url: str) -> None:
    """Settings come from the environment; the worker subprocesses inherit the same values."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "helpdesk_portal.settings", "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-not-secret", "DEBUG": "0", "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "LOG_LEVEL": "ERROR",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "ZAMMAD_TOKEN": TOKEN,
        "ZAMMAD_CONNECT_TIMEOUT": "1", "ZAMMAD_READ_TIMEOUT": "10",
    })


def setup_django(standin_url: str) -> None:
    os.environ["ZAMMAD_URL"] = standin_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def make_customer() -> User:
    from accounts.models import LicenseKey, Organisation, ProductGroup, User
    from delivery.models import ZammadCustomer

    ZammadCustomer.objects.all().delete()  # Zammad user ids of an earlier run's stand-in
    org, _created = Organisation.objects.get_or_create(name="Bench Mail AG")
    org.product_groups.add(ProductGroup.objects.get(slug="on-premise"))
    LicenseKey.objects.get_or_create(key="OX-SUP-BENCH-0001", defaults={"organisation": org})
    user = User.objects.filter(email="bench@bench.example").first()
    return user or User.objects.create_user("bench@bench.example", "pw-bench-123", organisation=org, first_name="Bench")


def incident_form() -> dict[str, str]:
    return {
        "subject": "IMAP logins fail for all users", "license_key": "OX-SUP-BENCH-0001",
        "server": "https://mail.bench.example", "server_version": "8.22.0", "platform": "Debian 12",
        "environment": "Production", "gui_version": "8.22.1", "severity": "2", "end_user_impact": "All",
        "track_id": "B-1", "recent_changes": "none", "description": "No IMAP logins since 10:40.",
        "steps_to_reproduce": "1. Log in\n2. See the error", "client": "Thunderbird 128",
        "tested_at": "2026-01-05T10:00", "tested_at_tz": "Europe/Berlin",
        "current_behaviour": "NO [UNAVAILABLE]", "expected_behaviour": "Login works", "test_account": "t@bench.example",
    }


class Workers:
    """`manage.py db_worker` processes, as in production; measuring starts once each one polls."""

    def __init__(self, count: int, log_dir: Path) -> None:
        command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05", "--no-reload"]
        # Output goes to files: the ready line is read from there, and the traceback a worker prints
        # when SIGTERM stops it inside a transaction stays out of the report.
        self.logs = [log_dir / f"worker-{time.monotonic_ns()}-{n}.log" for n in range(count)]
        self.processes = []
        for log in self.logs:
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT)
                )
        self._wait_until_polling()

    def _wait_until_polling(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not all("Starting worker" in log.read_text(errors="replace") for log in self.logs):
            if time.monotonic() > deadline:
                raise SystemExit("db_worker did not start; see " + ", ".join(map(str, self.logs)))
            time.sleep(0.05)

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def submit_latencies(user: User, count: int) -> list[float]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("tickets:create", args=["incident"])
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.post(url, incident_form())
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return timings


def wait_until_forwarded(ids: list[int], timeout: float = 120) -> None:
    from tickets.models import Submission

    deadline = time.monotonic() + timeout
    while Submission.objects.filter(pk__in=ids, status="forwarded").count() < len(ids):
        if time.monotonic() > deadline:
            raise SystemExit("forwarding did not finish in time")
        time.sleep(0.02)


def throughput(user: User, standin: StandIn, latency: float, workers: int, count: int, log_dir: Path) -> float:
    """Tickets per second from the moment the tasks become visible until all are forwarded."""
    from django.db import transaction

    from tickets.models import TicketType
    from tickets.services import create_submission
    from tickets.validation import validate_submission

    standin.faults.latency = latency
    pool = Workers(workers, log_dir)
    try:
        incident = TicketType.objects.get(slug="incident")
        with transaction.atomic():  # every task becomes visible to the workers at once
            ids = []
            for _ in range(count):
                result = validate_submission(ticket_type=incident, user=user, values=incident_form())
                ids.append(create_submission(user=user, ticket_type=incident, result=result, channel="web").pk)
            started = time.perf_counter()
        wait_until_forwarded(ids)
        return count / (time.perf_counter() - started)
    finally:
        pool.stop()


@dataclass
class Figures:
    latency_up: list[float]
    latency_down: list[float]
    throughput: dict[tuple[float, int], float]


def measure(user: User, standin: StandIn, submits: int, tickets: int, log_dir: Path) -> Figures:
    pool = Workers(1, log_dir)
    try:
        submit_latencies(user, 5)  # warm-up: templates, caches, connections
        up = submit_latencies(user, submits)
        standin.take_down()
        down = submit_latencies(user, submits)
        standin.faults.down = False
    finally:
        pool.stop()
    discard_unsent()
    rates = {}
    for latency in LATENCIES:
        for workers in WORKER_COUNTS:
            rates[(latency, workers)] = throughput(user, standin, latency, workers, tickets, log_dir)
            print(f"  latency {latency * 1000:.0f} ms, {workers} worker(s): {rates[(latency, workers)]:.1f} tickets/s", flush=True)
    return Figures(up, down, rates)


def discard_unsent() -> None:
    """Submissions from the "down" run wait for a retry; they must not run during throughput runs."""
    from django_tasks_db.models import DBTaskResult

    from tickets.models import Submission

    DBTaskResult.objects.all().delete()
    Submission.objects.exclude(status="forwarded").delete()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


HEADER = """# Benchmarks: forwarding to Zammad

Written by `bench/forwarding.py` (`.venv/bin/python bench/forwarding.py` for SQLite, add
`--database-url postgres://…/a_throwaway_db` for PostgreSQL; each run replaces its own section).
Indicative figures from one shared machine: compare the ratios, which are measured against
baselines taken in the same run, rather than the absolute numbers.
"""


def render_section(figures: Figures, database: str, submits: int, tickets: int) -> str:
    up_median, down_median = statistics.median(figures.latency_up), statistics.median(figures.latency_down)
    baseline = figures.throughput[(LATENCIES[0], WORKER_COUNTS[0])]
    lines = [
        f"## {database}",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, the Zammad stand-in in-process.",
        "",
        "### Submit latency, Zammad up vs down",
        "",
        f"{submits} sequential web-form submissions (a complete Incident) per row, one `db_worker` running beside them.",
        "",
        "| Zammad | median | p95 | ratio to up (median) |",
        "|---|---|---|---|",
        f"| up (baseline) | {up_median * 1000:.1f} ms | {p95(figures.latency_up) * 1000:.1f} ms | 1.00 |",
        f"| down (connection refused) | {down_median * 1000:.1f} ms | {p95(figures.latency_down) * 1000:.1f} ms | "
        f"{down_median / up_median:.2f} |",
        "",
        "Storing a submission never talks to Zammad, so the ratio stays near 1: the customer does not wait "
        "when Zammad is down.",
        "",
        "### Forwarding throughput vs stand-in latency and worker count",
        "",
        f"{tickets} submissions of one customer queued in one transaction; time until all are forwarded "
        "(one ticket create each, the customer is known to Zammad after the first).",
        "",
        "| stand-in latency per call | workers | tickets/s | ratio to baseline |",
        "|---|---|---|---|",
    ]
    for (latency, workers), rate in figures.throughput.items():
        label = " (baseline)" if (latency, workers) == (LATENCIES[0], WORKER_COUNTS[0]) else ""
        lines.append(f"| {latency * 1000:.0f} ms | {workers}{label} | {rate:.1f} | {rate / baseline:.2f} |")
    lines += ["", NOTES[database], ""]
    return "\n".join(lines)


NOTES = {
    "PostgreSQL": "With Zammad slow, throughput is bound by its latency per ticket; more `db_worker` processes "
    "deliver in parallel, each claiming its own row with SKIP LOCKED.",
    "SQLite (WAL)": "SQLite has one write lock. With a fast Zammad the workers mostly queue for it (task claims "
    "are exclusive transactions), so extra workers slow forwarding down; with a slow Zammad they still help, "
    "because the HTTP call runs outside any transaction. Production with several workers belongs on PostgreSQL.",
}


def write_report(path: Path, database: str, section: str) -> None:
    """Replace this database's section of the report, keeping the others."""
    sections: dict[str, str] = {}
    if path.exists():
        for part in path.read_text().split("\n## ")[1:]:
            sections[part.split("\n", 1)[0].strip()] = "## " + part.strip() + "\n"
    sections[database] = section
    body = "\n".join(sections[name] for name in sorted(sections, key=lambda name: name != "PostgreSQL"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "\n" + body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--submits", type=int, default=40)
    parser.add_argument("--tickets", type=int, default=30)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        configure_environment(database_url)
        os.environ["MEDIA_ROOT"] = f"{tmp}/media"
        from zammad_standin import StandIn

        standin = StandIn(port=0, token=TOKEN).start()
        try:
            setup_django(standin.url)
            from django.db import connection

            print(f"Benchmarking against the stand-in at {standin.url} ({connection.vendor})…", flush=True)
            figures = measure(make_customer(), standin, args.submits, args.tickets, Path(tmp))
            database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)"
        finally:
            standin.stop()
    write_report(args.output, database, render_section(figures, database, args.submits, args.tickets))
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
