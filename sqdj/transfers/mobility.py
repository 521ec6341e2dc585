"""What makes a member 流动, declared to the members app (`sqdj.members.mobility`, registered in apps.py): an open
outflow of the member, or an open inflow with the member's ID number. And the record kept for a member called 流动
with no outflow on file (an old category, an import's 党员分类): an open outflow marked incomplete, destination
unknown, dated the day it was recorded — listed by the check `mobile.outflow_incomplete` until staff complete it
(do_update_outflow clears the mark)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from sqdj.core.bulk import chunks, insert_rows, key_chunks
from sqdj.core.changelog import COLUMNS as CHANGE_COLUMNS
from sqdj.core.changelog import attribution, change_row
from sqdj.core.context import acting_as
from sqdj.core.models import ObjectChange
from sqdj.core.querysets import AnyOf
from sqdj.members.models import Member

from .models import Inflow, Outflow


def mobile_indexes(indexes: Iterable[str], members: Mapping[str, int] | None = None) -> set[str]:
    found: set[str] = set()
    indexes = list(indexes)
    if members is None:
        for chunk in key_chunks(indexes):
            found.update(
                Outflow.objects.filter(AnyOf("member__id_number_index", chunk), ended_on__isnull=True).values_list(
                    "member__id_number_index", flat=True
                )
            )
    else:  # the members known: their outflows by member, none looked for the people not on the roll (an import's)
        index_of = {pk: index for index, pk in members.items()}
        for chunk in key_chunks(list(index_of)):
            open_ = Outflow.objects.filter(AnyOf("member_id", chunk), ended_on__isnull=True)
            found.update(index_of[pk] for pk in open_.values_list("member_id", flat=True))
    for chunk in key_chunks(indexes):
        found.update(
            Inflow.objects.filter(AnyOf("id_number_index", chunk), ended_on__isnull=True).values_list(
                "id_number_index", flat=True
            )
        )
    return found


def record_unknown_outflows(member_ids: Iterable[int], *, acting_user, on: datetime.date) -> int:
    """In bulk (an import may bring thousands): the outflows and their change-log rows, a few statements per
    thousand. Members with an open outflow already are left alone."""
    recorded = 0
    ct = ContentType.objects.get_for_model(Outflow).pk
    with acting_as(acting_user) as ctx:
        who = attribution(ctx)
        for chunk in chunks(list(member_ids)):
            away = Outflow.objects.filter(member_id__in=chunk, ended_on__isnull=True).values("member_id")
            members = Member.objects.filter(pk__in=chunk).exclude(pk__in=away).only("pk", "name")
            now = timezone.now()
            outflows = [
                Outflow(
                    member=m,
                    left_on=on,
                    destination="",
                    last_contact_on=on,
                    incomplete=True,
                    created=now,
                    last_updated=now,
                )  # fmt: skip
                for m in members
            ]
            Outflow.objects.bulk_create(outflows)
            rows = [change_row(o, ObjectChange.Action.CREATE, None, o.snapshot(), who=who, ct=ct, time=now)
                    for o in outflows]  # fmt: skip
            insert_rows(ObjectChange, CHANGE_COLUMNS, rows)
            recorded += len(outflows)
    return recorded
