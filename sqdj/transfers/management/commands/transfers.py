"""`sqdj transfers [--overdue] [--expire] [--json] [--as-of DATE] [--org CODE] [--user NAME]`: the open transfer
cases (the daily job: `sqdj transfers --expire --overdue --json`). Exit 0 done, 1 unknown organization (or outside
your scope), 2 usage."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.core.scope import EVERYTHING
from sqdj.transfers import services


def case_json(case, on: datetime.date) -> dict:
    due = services.due_date(case)
    waiting = services.waiting_on(case)
    return {
        "id": case.pk,
        "letter_number": case.letter_number,
        "person": case.person_name,
        "from": case.from_name,
        "to": case.to_name,
        "state": case.state,
        "due_date": due.isoformat() if due else None,
        "days_overdue": max((on - due).days, 0) if due else 0,
        "waiting_on": waiting.code if waiting else None,
    }


class Command(SqdjCommand):
    help = gettext_lazy(
        "Open transfer cases the user may see, with due dates: all of them, or only the overdue ones (--overdue); "
        "--expire first expires the letters past their validity (the daily job). "
        "Exit 0 done, 1 unknown organization (or outside your scope), 2 usage."
    )
    acts_as_user = True
    uses_org = uses_as_of = uses_json = True
    org_help = gettext_lazy("organization code: cases of it and everything below it")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--overdue", action="store_true", help=gettext_lazy("only the cases whose step is overdue"))
        parser.add_argument(
            "--expire", action="store_true", help=gettext_lazy("first expire the letters past their validity")
        )

    def handle(self, *args, **options):
        on = self.as_of(options)
        user = self.acting_user(options)
        org = self.org(options, user)
        # the expiry is the system's job: every letter past its validity, whatever the user's scope
        expired = services.expire_letters(on) if options["expire"] else []
        cases = [c for c in services.open_cases(user or EVERYTHING, org) if not options["overdue"]
                 or services.is_overdue(c, on)]  # fmt: skip
        rows = [case_json(c, on) for c in cases]
        if options["json"]:
            result = {
                "as_of": on.isoformat(),
                "org": org.code if org else None,
                "overdue_only": options["overdue"],
                "expired": [c.pk for c in expired],
                "cases": rows,
            }
            self.write_json(result)
            return
        if options["expire"]:
            self.stdout.write(_("Letters expired: %(count)d") % {"count": len(expired)})
        self.stdout.write(_("Open cases: %(count)d") % {"count": len(rows)} + f"  {on.isoformat()}")
        for case, r in zip(cases, rows, strict=True):
            late = _("%(days)d days overdue") % {"days": r["days_overdue"]} if r["days_overdue"] else ""
            self.stdout.write(
                f"#{r['id']} {r['letter_number'] or '—'} {r['person']}：{r['from']} → {r['to']}  "
                f"{case.get_state_display()}  {_('due')} {r['due_date'] or '—'}  {late}  "
                f"{_('waiting on')} {r['waiting_on'] or '—'}"
            )
