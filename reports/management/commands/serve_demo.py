"""`manage.py serve_demo [addrport]`: Django's development server (with static files), listing
the demo accounts after its own banner, so that they are the last lines `make run` prints
before the server's request log."""

from typing import Any

from django.contrib.staticfiles.management.commands.runserver import Command as RunServer

from reports.management.commands.seed_demo import demo_account_lines


class Command(RunServer):
    help = "Serve the portal for development and list the demo accounts once it listens."

    def on_bind(self, server_port: Any) -> None:
        super().on_bind(server_port)
        self.stdout.write("\n".join(["", *demo_account_lines()]))
