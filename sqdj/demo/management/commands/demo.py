from __future__ import annotations

import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.accounts.twofactor.services import DEMO_SECRET
from sqdj.core.management.base import SqdjCommand
from sqdj.core.worker import worker_beside
from sqdj.demo import synthetic
from sqdj.demo.accounts import DEMO_PASSWORD, enrol_demo_second_factor, ensure_demo_users
from sqdj.demo.management.options import add_size_argument
from sqdj.demo.mobility import generate_mobility

HOST = "127.0.0.1"


def port_problem(port: int, host: str = HOST) -> str | None:
    """Why the demo could not serve on `port`, in Chinese, or None. Checked before the database is prepared, so that
    a port in use (another demo still running) is said at once, with how to choose another — not Django's
    "Error: That port is already in use." after the city is generated. Bound as runserver binds (SO_REUSEADDR), so
    a port that only lingers in TIME_WAIT is not reported."""
    if not 0 < port < 65536:
        return _("Port %(port)s is not a valid port number (1-65535).") % {"port": port}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return _(
                "Port %(port)s on %(host)s is already in use (perhaps another sqdj demo is still running). Stop the "
                "program using it, or choose another port: make demo PORT=8080 (or sqdj demo --port 8080)."
            ) % {"port": port, "host": host}
    return None


class Command(SqdjCommand):
    help = gettext_lazy("Create the database, load the demo city once, print the demo accounts and serve on 127.0.0.1.")

    def add_arguments(self, parser):
        add_size_argument(parser)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help=gettext_lazy("prepare the database and stop"))

    def handle(self, *args, **options):
        problem = None if options["no_serve"] else port_problem(options["port"])
        if problem:
            self.stderr.write(problem)
            sys.exit(2)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        synthetic.generate(options["size"])
        rows = ensure_demo_users()
        second_factor = enrol_demo_second_factor()
        # a few transfer cases in every state and some mobile members, so that those pages have something to show

        generate_mobility()
        url = f"http://{HOST}:{options['port']}/"
        self.stdout.write(_("sqdj demo city is ready. Accounts (password for all: %(pw)s):") % {"pw": DEMO_PASSWORD})
        for username, display, _role, org in rows:
            self.stdout.write(f"  {username:<10} {display:<24} {org or ''}")
        if second_factor:
            # two-step verification (security.md R4): the demo key is published, never a real deployment's
            secret = " ".join(DEMO_SECRET[i : i + 4] for i in range(0, len(DEMO_SECRET), 4))
            self.stdout.write(
                _(
                    "%(names)s also ask for a 6-digit code: add the demo key %(key)s (time-based) to an authenticator "
                    "app, or run `sqdj otp code NAME` in another terminal."
                )
                % {"names": ", ".join(second_factor), "key": secret}
            )
        self.stdout.write(_("Open %(url)s in a browser. Press Ctrl+C to stop.") % {"url": url})
        if not options["no_serve"]:
            with worker_beside(self.stdout):  # the background jobs' `sqdj worker`, stopped with the server
                call_command("runserver", f"{HOST}:{options['port']}", use_reloader=False, use_threading=True)
