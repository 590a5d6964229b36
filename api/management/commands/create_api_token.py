"""Create an API token for a customer and print it (the only time it can be seen)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from api.tokens import issue_token


class Command(BaseCommand):
    help = "Create an API token for the account with this email address and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Created by an operator", help="What the token is for.")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.get_by_email(email)
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated; activate it first.")
        if not name.strip():
            raise CommandError("The --name must not be empty.")
        issued = issue_token(user, name)
        # The token alone on stdout, so `TOKEN=$(manage.py create_api_token …)` works; the notice on stderr.
        self.stderr.write(f"API token “{issued.token.name}” for {user.email}; it is shown only now:")
        self.stdout.write(issued.secret)
