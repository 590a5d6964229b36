"""Production configuration: `check --deploy` is clean and cookies are secure with DEBUG off."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.urls import get_resolver

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path) -> dict[str, str]:
    """Only what .env.example documents for production; nothing inherited from this shell."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "helpdesk_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "helpdesk.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://helpdesk.example.com",
        "PORTAL_BASE_URL": "https://helpdesk.example.com",
        "BEHIND_TLS_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)


def test_check_deploy_reports_no_issues_with_the_documented_production_variables(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_refuses_to_serve_in_production_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    served = run(["-c", "import helpdesk_portal.wsgi"], env)
    assert served.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off (see .env.example)" in served.stderr
    # The deploy check names it too, while commands that sign nothing (migrations) still run.
    deploy = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert deploy.returncode != 0 and "security.W009" in deploy.stderr
    assert run(["manage.py", "makemigrations", "--check", "--dry-run"], env).returncode == 0


def test_a_malformed_setting_is_one_line_saying_what_to_fix(tmp_path):
    env = {**production_env(tmp_path), "DEBUG": "maybe"}
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 1
    assert result.stderr == "Configuration error: DEBUG must be true or false, not 'maybe'\n"


def test_production_cookies_are_secure_and_https_is_enforced(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "DEBUG",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = run(["-c", code], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "DEBUG": False,
    }


def test_uploads_are_not_under_any_static_or_routed_directory():
    media_root = Path(django_settings.MEDIA_ROOT).resolve()
    for static_dir in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not media_root.is_relative_to(Path(static_dir).resolve())
    routes = [str(pattern.pattern) for pattern in get_resolver().url_patterns]
    assert not any(route.startswith(("media", "var")) for route in routes)
