"""Django's `changepassword`, which also deletes the person's API token, as every other way of
setting a password does (informatics.services.user_password_set)."""

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword

from informatics.models import User
from informatics.services import user_token_revoke


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        changed = super().handle(*args, **options)  # raises CommandError when it did not
        username = options["username"] or getpass.getuser()
        user = User._default_manager.using(options["database"]).get(email=username)
        user_token_revoke(user=user)
        return changed
