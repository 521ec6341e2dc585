"""The synthetic city's volunteer service (issue 16 item 9): in every community with a party organization, posts of
the 五员 catalogue and two service teams; the in-service members registered there (报到, from the member generator)
claim posts and join teams; activities month by month with sign-ups, and the service records that follow them and
the posts' duty — verified, a few declared and waiting, one or two rejected. Written straight into the tables (no
change-log rows, like the rest of the seed data), deterministic for a size, a seed and the day of generation.

The span is a quarter for the demo sizes (the demo shows one quarter of work) and two years for the city, whose
≈ 5,000,000 service records are what the benchmarks measure (docs/performance.md). The generator reads everything
it needs first, then streams each table (on PostgreSQL a COPY holds the connection: nothing is read meanwhile)."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.bulk import insert_rows, is_streaming, reset_sequences
from sqdj.members.choices import Category, Standing
from sqdj.members.models import Member, Registration
from sqdj.orgs.models import Org
from sqdj.volunteers import certificates as certificates_service
from sqdj.volunteers import feedback
from sqdj.volunteers.choices import (
    ClaimState,
    Evaluation,
    FeedbackState,
    HoursSource,
    HoursState,
    Organizer,
    PeriodKind,
    ServiceArea,
)
from sqdj.volunteers.feedback import period_bounds
from sqdj.volunteers.models import (
    Activity,
    Feedback,
    Post,
    PostClaim,
    PostKind,
    ServiceHours,
    Signup,
    Team,
    TeamMember,
)


@dataclass(frozen=True)
class Plan:
    months: int  # the span of activities and records back from today; 0: from the first day of the last quarter
    activities: int  # per community and month
    upcoming: int  # per community, in the next weeks (open for sign-up)


# the demo sizes: the last quarter whole (its feedback letters are signed off) and this one so far
PLANS = {"small": Plan(0, 2, 2), "medium": Plan(0, 2, 2), "city": Plan(24, 4, 1)}


def last_quarter(today: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the last quarter that has ended by `today`."""
    q = (today.month - 1) // 3  # this quarter's index, 0-3
    return (today.year, q) if q else (today.year - 1, 4)


def span_start(plan: Plan, today: datetime.date) -> datetime.date:
    if plan.months:
        return today - datetime.timedelta(days=30 * plan.months)
    year, q = last_quarter(today)
    return datetime.date(year, 3 * q - 2, 1)


# the posts of a community: (service area, kind of the catalogue, title, place)
POSTS = [
    (ServiceArea.STUDY, "xuanchuan", "政策宣讲岗", "社区党群服务中心"),
    (ServiceArea.CULTURE, "chuanbo", "文化宣传岗", "社区文化活动室"),
    (ServiceArea.CONVENIENCE, "fuwu", "便民服务岗", "社区便民服务站"),
    (ServiceArea.SAFETY, "tiaojie", "治安巡逻与邻里调解岗", "各小区"),
    (ServiceArea.ENVIRONMENT, "shifan", "环境维护岗", "社区公共区域"),
    (ServiceArea.SCIENCE, "chuanbo", "科普教育岗", "社区科普角"),
]
TEAMS = [
    (ServiceArea.CONVENIENCE, "党员志愿服务队", "便民服务、扶贫帮困"),
    (ServiceArea.ENVIRONMENT, "环境守护队", "清洁家园、垃圾分类宣传"),
]
ACTIVITIES = [
    (ServiceArea.ENVIRONMENT, "清洁家园志愿服务", "社区公共区域"),
    (ServiceArea.CONVENIENCE, "便民服务日（理发、维修、义诊）", "社区广场"),
    (ServiceArea.STUDY, "政策宣讲进楼院", "社区党群服务中心"),
    (ServiceArea.SAFETY, "平安巡逻", "各小区"),
    (ServiceArea.CULTURE, "邻里文化节志愿服务", "社区文化活动室"),
    (ServiceArea.SCIENCE, "防诈骗科普讲座", "社区科普角"),
    (ServiceArea.CONVENIENCE, "关爱独居老人走访", "社区各楼院"),
]
HOURS = [Decimal("1.5"), Decimal("2"), Decimal("2"), Decimal("2.5"), Decimal("3")]
LOCAL_POOL = 40  # local members of a community who sign up too, at most
LOCAL_CATEGORIES = (Category.RETIRED, Category.RESIDENT, Category.UNEMPLOYED)


@dataclass
class _Community:
    area_id: int
    name: str
    org_id: int
    org_path: str
    registered: list[tuple[int, datetime.date]] = field(default_factory=list)  # (member, registered on)
    local: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    teams: list[int] = field(default_factory=list)


def _communities() -> list[_Community]:
    """Each community area with a party organization placed on it (the shallowest), its registered in-service
    members and some local members."""
    orgs = {}
    for org_id, path, area_id in (
        Org.objects.filter(area__type=AreaType.COMMUNITY).order_by("depth", "path").values_list("pk", "path", "area_id")
    ):
        orgs.setdefault(area_id, (org_id, path))
    names = dict(Area.objects.filter(pk__in=list(orgs)).values_list("pk", "name"))
    found = {a: _Community(a, names[a], o, p) for a, (o, p) in sorted(orgs.items())}
    for member_id, area_id, on in (
        Registration.objects.filter(active=True, community_id__in=list(found))
        .order_by("community_id", "member_id")
        .values_list("member_id", "community_id", "registered_on")
        .iterator(chunk_size=20_000)
    ):
        found[area_id].registered.append((member_id, on))
    by_path = {c.org_path: c for c in found.values()}
    steps = sorted({len(p) for p in by_path}, reverse=True)
    for member_id, path in (
        Member.objects.filter(standing=Standing.ACTIVE, category__in=LOCAL_CATEGORIES)
        .order_by("pk")
        .values_list("pk", "org__path")
        .iterator(chunk_size=20_000)
    ):
        for n in steps:
            c = by_path.get(path[:n])
            if c is not None:
                if len(c.local) < LOCAL_POOL:
                    c.local.append(member_id)
                break
    return list(found.values())


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def generate_volunteers(size: str, seed: int, today: datetime.date) -> dict:
    """Write the city's volunteer service once (nothing when posts exist); returns the counts."""
    if Post.objects.exists() or size not in PLANS:
        return {}
    plan = PLANS[size]
    communities = _communities()
    if not communities:
        return {}
    now = timezone.now()
    convert = not is_streaming()
    start = span_start(plan, today)
    months = -(-(today - start).days // 30)  # the 30-day months of the span, the last one cut at today
    kinds = dict(PostKind.objects.filter(org__isnull=True).values_list("code", "pk"))
    counts: dict[str, int] = {}

    # posts and teams
    post_id, team_id = _next_id(Post), _next_id(Team)
    posts, teams, post_info = [], [], {}
    for c in communities:
        for area, kind, title, place in POSTS:
            c.posts.append(post_id)
            post_info[post_id] = (title, place, area)
            posts.append((post_id, now, now, c.org_id, c.area_id, kinds[kind], area, title, "", place, 1,
                          start - datetime.timedelta(days=30), None, None))  # fmt: skip
            post_id += 1
        for area, name, purpose in TEAMS:
            c.teams.append(team_id)
            teams.append((team_id, now, now, c.org_id, c.area_id, f"{c.name}{name}", area, purpose, None,
                          start - datetime.timedelta(days=60), True, None))  # fmt: skip
            team_id += 1

    # claims and team memberships of the registered members (a post's places hold its approved claims)
    rng = random.Random(f"volunteers:{size}:{seed}")
    claims, joins, approved_by_post = [], [], defaultdict(int)
    duties: list[tuple[int, int, _Community]] = []  # (member, post, community) of the approved claims
    for c in communities:
        for member_id, registered_on in c.registered:
            r = rng.random()
            applied = max(registered_on, start - datetime.timedelta(days=20))
            if r < 0.5:
                post = rng.choice(c.posts)
                approved_by_post[post] += 1
                claims.append((now, now, member_id, ClaimState.APPROVED, applied, None, now, "", None, "", "", post))
                duties.append((member_id, post, c))
            elif r < 0.55:
                claims.append((now, now, member_id, ClaimState.PENDING, today, None, None, "", None, "", "",
                               rng.choice(c.posts)))  # fmt: skip
            if rng.random() < 0.4:
                joins.append((now, now, member_id, ClaimState.APPROVED, applied, None, now, "", None, "", "",
                              rng.choice(c.teams)))  # fmt: skip
    posts = [(*p[:10], approved_by_post[p[0]] + rng.randint(2, 5), *p[11:]) for p in posts]
    insert_rows(Post, POST_COLUMNS, posts, convert=convert)
    insert_rows(Team, TEAM_COLUMNS, teams, convert=convert)
    insert_rows(PostClaim, CLAIM_COLUMNS + ("post_id",), claims, convert=convert)
    insert_rows(TeamMember, CLAIM_COLUMNS + ("team_id",), joins, convert=convert)
    counts.update(posts=len(posts), teams=len(teams), post_claims=len(claims), team_members=len(joins))

    # activities: each month of the span, and a few ahead (open for sign-up)
    tz = timezone.get_current_timezone()
    activity_id = _next_id(Activity)
    activities = []  # (id, community, day, capacity, attendance, upcoming, area, title, place, team)
    for c in communities:
        for m in range(months):
            first = start + datetime.timedelta(days=30 * m)
            for _ in range(plan.activities):
                area, title, place = rng.choice(ACTIVITIES)
                day = _day(rng, first, min(first + datetime.timedelta(days=29), today - datetime.timedelta(days=1)))
                team = rng.choice(c.teams) if rng.random() < 0.3 else None
                activities.append((activity_id, c, day, rng.randint(15, 30), rng.random() < 0.3, False, area, title,
                                   place, team))  # fmt: skip
                activity_id += 1
        for _ in range(plan.upcoming):
            area, title, place = rng.choice(ACTIVITIES)
            day = _day(rng, today + datetime.timedelta(days=3), today + datetime.timedelta(days=30))
            activities.append((activity_id, c, day, rng.randint(15, 30), False, True, area, title, place, None))
            activity_id += 1

    def activity_rows() -> Iterator[tuple]:
        for aid, c, day, capacity, attendance, _upcoming, area, title, place, team in activities:
            starts = datetime.datetime.combine(day, datetime.time(9), tz)
            yield (aid, now, now, c.org_id, c.area_id, Organizer.TEAM if team else Organizer.COMMUNITY, team, None,
                   None, area, title, "", place, starts, starts + datetime.timedelta(hours=2), capacity, attendance,
                   None, "")  # fmt: skip

    insert_rows(Activity, ACTIVITY_COLUMNS, activity_rows(), convert=convert)
    counts["activities"] = len(activities)

    def roster(aid: int, c: _Community, capacity: int, upcoming: bool) -> list[int]:
        """The members signed up for an activity: drawn again from the same seed by each table's pass."""
        pool = [m for m, _on in c.registered] + c.local
        r = random.Random(f"roster:{seed}:{aid}")
        n = min(len(pool), round(capacity * r.uniform(0.3, 0.6) if upcoming else capacity * r.uniform(0.6, 1.0)))
        return r.sample(pool, n)

    def signup_rows() -> Iterator[tuple]:
        for aid, c, day, capacity, attendance, upcoming, *_rest in activities:
            signed = datetime.datetime.combine(min(day, today) - datetime.timedelta(days=2), datetime.time(20), tz)
            for member_id in roster(aid, c, capacity, upcoming):
                attended = (True if random.Random(f"{aid}:{member_id}").random() < 0.9 else False) if (
                    attendance and not upcoming) else None  # fmt: skip
                yield (now, now, aid, member_id, signed, None, attended)

    insert_rows(Signup, SIGNUP_COLUMNS, _counted(signup_rows(), counts, "signups"), convert=convert)

    def hours_rows() -> Iterator[tuple]:
        for aid, c, day, capacity, attendance, upcoming, _area, title, place, team in activities:
            if upcoming:
                continue
            done = datetime.datetime.combine(day, datetime.time(11), tz)
            for member_id in roster(aid, c, capacity, upcoming):
                r = random.Random(f"{aid}:{member_id}")
                if attendance and r.random() >= 0.9:
                    continue  # signed up, did not come
                yield (now, now, member_id, c.org_id, c.area_id, aid, None, team, day, r.choice(HOURS), title, place,
                       HoursSource.RECORDED, HoursState.VERIFIED, None, done, None, done, "", "", 1)  # fmt: skip
        last_month = today - datetime.timedelta(days=30)
        for member_id, post, c in duties:
            title, place, _area = post_info[post]
            r = random.Random(f"duty:{seed}:{member_id}:{post}")
            for m in range(months):
                first = start + datetime.timedelta(days=30 * m)
                day = _day(r, first, min(first + datetime.timedelta(days=29), today - datetime.timedelta(days=1)))
                served = datetime.datetime.combine(day, datetime.time(18), tz)
                if day >= last_month and r.random() < 0.1:  # declared lately by the member, waiting
                    yield (now, now, member_id, c.org_id, c.area_id, None, post, None, day, r.choice(HOURS),
                           f"{title}值守", place, HoursSource.DECLARED, HoursState.PENDING, None, served, None, None,
                           "", "", 1)  # fmt: skip
                elif r.random() < 0.01:
                    yield (now, now, member_id, c.org_id, c.area_id, None, post, None, day, r.choice(HOURS),
                           f"{title}值守", place, HoursSource.DECLARED, HoursState.REJECTED, None, served, None,
                           served, "当日未在岗", "", 1)  # fmt: skip
                else:
                    yield (now, now, member_id, c.org_id, c.area_id, None, post, None, day, r.choice(HOURS),
                           f"{title}值守", place, HoursSource.RECORDED, HoursState.VERIFIED, None, served, None,
                           served, "", "", 1)  # fmt: skip

    insert_rows(ServiceHours, HOURS_COLUMNS, _counted(hours_rows(), counts, "service_hours"), convert=convert)
    reset_sequences(Post, Team, Activity)
    return counts


def _counted(rows: Iterator[tuple], counts: dict, key: str) -> Iterator[tuple]:
    """`rows` as they go, counted into `counts[key]` (a stream has no length)."""
    counts[key] = 0
    for row in rows:
        counts[key] += 1
        yield row


POST_COLUMNS = ("id", "created", "last_updated", "org_id", "community_id", "kind_id", "service_area", "title",
                "duties", "place", "places", "starts_on", "ends_on", "closed_on")  # fmt: skip
TEAM_COLUMNS = ("id", "created", "last_updated", "org_id", "community_id", "name", "service_area", "purpose",
                "leader_id", "founded_on", "active", "ended_on")  # fmt: skip
CLAIM_COLUMNS = ("created", "last_updated", "member_id", "state", "applied_on", "decided_by_id", "decided_at",
                 "decision_note", "ended_on", "end_reason", "end_note")  # fmt: skip
ACTIVITY_COLUMNS = ("id", "created", "last_updated", "org_id", "community_id", "organizer", "team_id", "project_id",
                    "post_id", "service_area", "title", "description", "place", "starts_at", "ends_at", "capacity",
                    "takes_attendance", "cancelled_on", "cancel_reason")  # fmt: skip
SIGNUP_COLUMNS = ("created", "last_updated", "activity_id", "member_id", "signed_up_at", "withdrawn_at", "attended")
HOURS_COLUMNS = ("created", "last_updated", "member_id", "org_id", "community_id", "activity_id", "post_id", "team_id",
                 "served_on", "hours", "content", "place", "source", "state", "recorded_by_id", "recorded_at",
                 "verified_by_id", "verified_at", "reject_reason", "correction_reason", "version")  # fmt: skip


# ---- the demo's round of feedback letters and certificates (through the services, as an office makes them) ---

SHOWN_CERTIFICATES = 5  # members of the first community certified for the last quarter, besides the showcase


def showcase_claim(community_area) -> PostClaim | None:
    """The approved claim of the in-service member the demo's `zaizhi` account is: the first (by member) registered
    with the community who holds a post there — so that their phone view shows a post, activities and hours."""
    registered = Registration.objects.filter(community=community_area, active=True).values("member_id")
    return (
        PostClaim.objects.filter(post__community=community_area, state=ClaimState.APPROVED, member_id__in=registered,
                                 member__standing=Standing.ACTIVE)
        .select_related("member", "post")
        .order_by("member_id", "pk")
        .first()
    )  # fmt: skip


def _evaluation(hours) -> tuple[str, str]:
    if hours >= 10:
        return Evaluation.GOOD, "积极参加社区志愿服务，表现突出。"
    if hours >= 4:
        return Evaluation.FAIRLY_GOOD, "能够按时参加社区活动。"
    return Evaluation.AVERAGE, "参加社区活动较少，希望今后多参与。"


def demo_round(size: str, today: datetime.date) -> dict:
    """The last quarter's feedback letters of every community, drafted from the records and signed off, and a few
    certificates of the first community's members (the showcase member's among them). Demo sizes only."""
    if size not in PLANS or PLANS[size].months or Feedback.objects.exists():
        return {}
    year, quarter = last_quarter(today)
    start, end = period_bounds(PeriodKind.QUARTER, year, quarter)
    created = signed = 0
    orgs = []
    for c in _communities():
        org = Org.objects.get(pk=c.org_id)
        orgs.append(org)
        made, _skipped = feedback.do_draft_feedback(acting_user=None, org=org, period_kind=PeriodKind.QUARTER,
                                                    year=year, quarter=quarter)  # fmt: skip
        created += made
        for letter in Feedback.objects.filter(org=org, period_start=start, state=FeedbackState.DRAFT).order_by("pk"):
            evaluation, note = _evaluation(letter.hours)
            letter = feedback.do_edit_feedback(letter, acting_user=None, evaluation=evaluation, note=note,
                                               version=letter.version)  # fmt: skip
            feedback.do_sign_feedback(letter, acting_user=None, version=letter.version)
            signed += 1
    certificates = 0
    if orgs:
        first = orgs[0]
        members = list(
            ServiceHours.objects.filter(community=first.area, state=HoursState.VERIFIED, served_on__range=(start, end))
            .order_by("member_id").values_list("member_id", flat=True).distinct()[:SHOWN_CERTIFICATES]
        )  # fmt: skip
        claim = showcase_claim(first.area)
        if claim is not None and claim.member_id not in members:
            members.append(claim.member_id)
        for member in Member.objects.filter(pk__in=members).order_by("pk"):
            try:
                certificates_service.do_issue_certificate(acting_user=None, member=member, org=first,
                                                          period_start=start, period_end=end)  # fmt: skip
            except ValidationError:  # no verified hours there in that quarter (the showcase's may fall later)
                continue
            certificates += 1
    return {"feedback_letters": created, "feedback_signed": signed, "certificates": certificates}
