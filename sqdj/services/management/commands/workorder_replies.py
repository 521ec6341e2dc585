"""`sqdj workorder_replies --org CODE [--from YYYY-MM-DD] [--to YYYY-MM-DD] -o FILE.xlsx|.csv [--user NAME]`: the
replies file of the 12345 work orders for upload back to the platform (docs/workorders.md): the orders of the org's
territory (as the user sees them) resolved or closed within the dates."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.exporting import audit_export
from sqdj.core.management.base import SqdjCommand

from ...models import WorkOrder
from ...workorders import replied_orders, replies_file


class _Kind:
    kind = "workorder-replies"


class Command(SqdjCommand):
    help = gettext_lazy("Export the replies of the 12345 work orders for upload back to the platform.")
    acts_as_user = True
    uses_org = org_required = True

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", default=None, help=gettext_lazy("resolved from YYYY-MM-DD"))
        parser.add_argument("--to", dest="date_to", default=None, help=gettext_lazy("resolved until YYYY-MM-DD"))
        parser.add_argument("-o", "--output", required=True, help=gettext_lazy("FILE.xlsx or FILE.csv"))

    @staticmethod
    def _day(value):
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(_("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01."), returncode=2) from None

    def handle(self, *args, **options):
        out = Path(options["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError(_("The output file must end in .xlsx or .csv."), returncode=2)
        date_from, date_to = self._day(options["date_from"]), self._day(options["date_to"])
        user = self.acting_user(options)
        org = self.org(options, user)
        if org.area_id is None:
            raise CommandError(_("The organization has no territory (no area)."), returncode=1)
        qs = WorkOrder.objects.filter(request__area__path__startswith=org.area.path)
        if user is not None:
            qs = qs.restrict(user, "view")
        data, count = replies_file(replied_orders(qs, date_from, date_to), fmt)
        audit_export(_Kind, count, fmt)
        out.write_bytes(data)
        self.stderr.write(_("Exported %(n)d rows to %(file)s.") % {"n": count, "file": out})
