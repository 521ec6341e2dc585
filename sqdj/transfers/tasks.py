"""The transfers' daily jobs (core.tasks, run by `sqdj worker`): letters past their validity expire, and whoever
must act on an overdue case is reminded. Each is queued once a day; each is safe to run again for its day."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.accounts.services import notify_org
from sqdj.core.tasks import daily_job

from . import services
from .choices import OPEN_STATES, TransferState
from .models import Transfer


@daily_job("transfers.expire")
def expire_letters(day: str) -> dict:
    """`sqdj transfers --expire` as a daily job: each case in its own transaction (an acceptance at the same moment
    wins or loses cleanly); a case already expired is not touched again."""
    expired = services.expire_letters(datetime.date.fromisoformat(day))
    return {"expired": [case.pk for case in expired]}


@daily_job("transfers.remind")
def remind_overdue(day: str) -> dict:
    """One notification per overdue open case to the staff who must act on it (`waiting_on`). All in one
    transaction: a run that fails reminds nobody, so its retry reminds each of them once."""
    on = datetime.date.fromisoformat(day)
    reminded = 0
    cases = Transfer.objects.filter(state__in=OPEN_STATES).select_related(
        "from_org", "to_org", "sending_approver", "receiving_approver"
    )
    with transaction.atomic():
        for case in cases.order_by("state_changed_on", "pk"):
            if case.state == TransferState.APPROVED and case.valid_until and case.valid_until < on:
                continue  # its letter ran out: the expiry job tells the sending side
            if not services.is_overdue(case, on):
                continue
            text = _("Transfer of %(name)s (%(from)s → %(to)s) was due on %(due)s and is waiting for you.") % {
                "name": case.person_name,
                "from": case.from_name,
                "to": case.to_name,
                "due": services.due_date(case).isoformat(),
            }
            reminded += notify_org(services.waiting_on(case), text, case.get_absolute_url())
    return {"reminded": reminded}
