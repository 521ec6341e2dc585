"""`sqdj worker [--batch] [--max-tasks N] [--interval S] [--no-daily] [--queue-name Q] [--worker-id ID]`: run the
background jobs (imports, large exports, the daily jobs) until stopped — django-tasks-db's `db_worker`, plus the
heartbeat, the dead-worker check and the daily scheduler of core.worker. Ctrl+C (SIGINT/SIGTERM) stops it after
the running job; a second one stops the job too (marked failed; retry it from its page)."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from sqdj.core.worker import Worker


class Command(DBWorkerCommand):
    help_text = gettext_lazy(
        "Run the background jobs (imports, large exports, the daily jobs) until stopped; "
        "with --batch, run the waiting ones and stop."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        translation.activate(settings.LANGUAGE_CODE)
        self.help = str(self.help_text)  # in the deployment's language
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--no-daily",
            action="store_false",
            dest="daily",
            help=gettext_lazy("do not queue the daily jobs from this worker"),
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        jobs = logging.getLogger("sqdj.jobs")
        jobs.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO if verbosity == 1 else logging.CRITICAL)
        if not jobs.hasHandlers():
            jobs.addHandler(logging.StreamHandler(self.stderr))

    def handle(self, *, verbosity: int, queue_name: str, interval: float, batch: bool, backend_name: str,
               startup_delay: bool, reload: bool, max_tasks: int | None, worker_id: str, exclude_queues: str,
               **options: Any) -> None:  # fmt: skip
        translation.activate(settings.LANGUAGE_CODE)
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            daily=options.get("daily", True),
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
