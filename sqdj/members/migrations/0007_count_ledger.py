"""The count ledger (issue 13): the membership ledger keeps only what changes a count, in the kinds of the annual
report, with the decision's number and date; 留党察看 and 停止党籍 become dated member states (MemberState).

Existing rows: 发展 (joined), 转入/转出, 死亡 (died) and 预备党员转正 (confirmed, effect 0) keep their code;
`removed` (the kind is not known) becomes 其他减少; `registered` and `category_changed` change no count and are
deleted — the change log keeps the registration and the member's category. Then every member's ledger is made to
agree with the roll (on the roll = +1 at the member's org, 0 elsewhere): a member whose standing changed without a
ledger row (suspended, deceased, removed, transferred out) gets the decrease, and a member on the roll without one
the increase, each with the note NOTE (the date is unknown: the last day the record is known to have changed) so that
staff can find and correct them (the member page shows the note; docs/usage.md). A suspended member also gets the
open suspension from that date: the two-year clock then starts late, never early.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, IntegerField, Max, Sum, Value, When

from sqdj.core.rulebook_seed import seed_rulebook

# frozen: the effects of the kinds as this migration knows them
INCREASES = ("joined", "transferred_in", "restored", "transferred_in_whole", "other_increase")
DECREASES = ("died", "withdrew", "persuaded_out", "struck_off", "expelled", "lapsed", "suspended", "transferred_out",
             "transferred_out_whole", "other_decrease")  # fmt: skip
DECREASE_OF_STANDING = {"suspended": "suspended", "deceased": "died", "removed": "other_decrease",
                        "transferred_out": "transferred_out"}  # fmt: skip
NOTE = "计数台账启用前未记录（迁移0007补记），日期不详，请核对决定和日期"
CHUNK = 5000

ROWS = [
    {
        "rule_id": "member.probation_discipline_max_years",
        "value": 2,
        "unit": "years",
        "regulation": "中国共产党纪律处分条例",
        "article": "第九条至第十三条（留党察看）",
        "trust": "V2",
        "effective_from": "2003-12-31",
        "note": "留党察看处分分为留党察看一年、留党察看二年，最长不超过二年；期间没有表决权、选举权和被选举权。",
    },
]


def _effect():
    return Sum(
        Case(
            When(kind__in=INCREASES, then=Value(1)),
            When(kind__in=DECREASES, then=Value(-1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def count_ledger(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Event = apps.get_model("members", "MembershipEvent")
    State = apps.get_model("members", "MemberState")
    Event.objects.filter(kind__in=("registered", "category_changed")).delete()
    Event.objects.filter(kind="removed").update(kind="other_decrease")
    now = datetime.datetime.now(datetime.UTC)
    last_pk, added = 0, 0
    while True:  # members in chunks: a city's roll is not held in memory
        members = list(
            Member.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "org_id", "standing", "joined_on", "last_updated")[:CHUNK]
        )
        if not members:
            break
        last_pk = members[-1][0]
        pks = [m[0] for m in members]
        nets: dict = {}
        for member_id, org_id, net in (
            Event.objects.filter(member_id__in=pks).values("member_id", "org_id").annotate(net=_effect()).order_by()
            .values_list("member_id", "org_id", "net")
        ):  # fmt: skip
            nets.setdefault(member_id, {})[org_id] = net or 0
        lasts = dict(
            Event.objects.filter(member_id__in=pks).values("member_id").annotate(last=Max("date")).order_by()
            .values_list("member_id", "last")
        )  # fmt: skip
        events, states = [], []
        for pk, org_id, standing, joined_on, last_updated in members:
            have = nets.get(pk, {})
            on_roll = standing == "active"
            wanted = {org_id: 1} if on_roll else {}
            known = last_updated.date() if last_updated else joined_on
            late = max(d for d in (known, lasts.get(pk), joined_on) if d is not None)
            for org in set(have) | set(wanted):
                gap = wanted.get(org, 0) - have.get(org, 0)
                for _i in range(abs(gap)):
                    if gap > 0:
                        kind = "joined" if not have else "other_increase"
                        date = joined_on if not have else late
                    else:
                        kind = (
                            DECREASE_OF_STANDING.get(standing, "other_decrease") if org == org_id else "other_decrease"
                        )
                        date = late
                    events.append(Event(member_id=pk, org_id=org, kind=kind, date=date, note=NOTE, created=now))
                    if kind == "suspended":
                        states.append(State(member_id=pk, kind="suspended", starts_on=date, note=NOTE))
        Event.objects.bulk_create(events)
        State.objects.bulk_create(states)
        added += len(events)
    if added:  # listed: the rows carry NOTE, the member page shows it
        print(f"\n  members.0007: {added} ledger row(s) added to agree with the roll, dated unknown (note: {NOTE})")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_work_status"),
        ("orgs", "0005_path_statistics_coarser"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created", models.DateTimeField(auto_now_add=True, null=True, verbose_name="created")),
                ("last_updated", models.DateTimeField(auto_now=True, null=True, verbose_name="last updated")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("probation_discipline", "Probation within the party (留党察看)"),
                            ("suspended", "Membership suspended"),
                        ],
                        max_length=30,
                        verbose_name="state",
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="from")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="until")),
                (
                    "end_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("joined", "Recruited (new member)"),
                            ("transferred_in", "Transferred in"),
                            ("restored", "Membership restored"),
                            ("transferred_in_whole", "Transferred in with the whole organization"),
                            ("other_increase", "Other increase"),
                            ("died", "Died"),
                            ("withdrew", "Left the party (withdrawal)"),
                            ("persuaded_out", "Persuaded to leave the party"),
                            ("struck_off", "Struck off the roll"),
                            ("expelled", "Expelled from the party"),
                            ("lapsed", "Struck off for abandoning the party"),
                            ("suspended", "Membership suspended"),
                            ("transferred_out", "Transferred out"),
                            ("transferred_out_whole", "Transferred out with the whole organization"),
                            ("other_decrease", "Other decrease"),
                            ("confirmed", "Became a full member"),
                        ],
                        max_length=30,
                        verbose_name="ended by",
                    ),
                ),
                ("decision_number", models.CharField(blank=True, max_length=100, verbose_name="decision number")),
                ("decision_date", models.DateField(blank=True, null=True, verbose_name="decision date")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
            ],
            options={
                "verbose_name": "member state",
                "verbose_name_plural": "member states",
                "ordering": ["starts_on", "pk"],
            },
        ),
        migrations.AddField(
            model_name="membershipevent",
            name="decision_date",
            field=models.DateField(blank=True, null=True, verbose_name="decision date"),
        ),
        migrations.AddField(
            model_name="membershipevent",
            name="decision_number",
            field=models.CharField(blank=True, db_default="", max_length=100, verbose_name="decision number"),
        ),
        migrations.AlterField(
            model_name="membershipevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("joined", "Recruited (new member)"),
                    ("transferred_in", "Transferred in"),
                    ("restored", "Membership restored"),
                    ("transferred_in_whole", "Transferred in with the whole organization"),
                    ("other_increase", "Other increase"),
                    ("died", "Died"),
                    ("withdrew", "Left the party (withdrawal)"),
                    ("persuaded_out", "Persuaded to leave the party"),
                    ("struck_off", "Struck off the roll"),
                    ("expelled", "Expelled from the party"),
                    ("lapsed", "Struck off for abandoning the party"),
                    ("suspended", "Membership suspended"),
                    ("transferred_out", "Transferred out"),
                    ("transferred_out_whole", "Transferred out with the whole organization"),
                    ("other_decrease", "Other decrease"),
                    ("confirmed", "Became a full member"),
                ],
                max_length=30,
                verbose_name="event",
            ),
        ),
        migrations.AddIndex(
            model_name="membershipevent",
            index=models.Index(fields=["org", "date", "kind"], name="members_ledger"),
        ),
        migrations.AddField(
            model_name="memberstate",
            name="member",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="states",
                to="members.member",
                verbose_name="party member",
            ),
        ),
        migrations.AddIndex(
            model_name="memberstate",
            index=models.Index(fields=["kind", "starts_on"], name="members_state_start"),
        ),
        migrations.RunPython(count_ledger, migrations.RunPython.noop, elidable=False),
        seed_rulebook(ROWS),
    ]
