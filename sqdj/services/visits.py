"""The visit part's services (issue 17 item 5): a visit (走访, "进百家门、知百家情") recorded — when, where (a
community or below it, or a household), who visited, what was heard — and the coverage of a community's grids: which
buildings had no visit within the rulebook's months (`services.visit_coverage_months`). Each `do_*` is one transaction,
checked with Chinese field errors before anything is written, the change log through do_create / do_update."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.areas.services import community_at
from sqdj.core.dates import add_months
from sqdj.core.rules import param
from sqdj.core.services import Errors, ScopeViolation, do_create, do_delete, do_update, ensure_in_scope
from sqdj.members.models import Member

from .models import Household, Visit
from .requests import placement

FIELDS = ("area", "visited_on", "visitors", "other_visitors", "heard", "household")
HEARD_LENGTH, OTHERS_LENGTH = 4000, 100


def _checked(values: dict, *, acting_user) -> dict:
    """The visit's values checked all at once (a ValidationError naming every wrong field), normalized."""
    errors = Errors()
    area, day, household = values["area"], values["visited_on"], values["household"]
    heard = (values["heard"] or "").strip()
    others = (values["other_visitors"] or "").strip()
    visitors = list(values["visitors"] or [])
    community, org = placement(area)
    if area is None:
        errors.add("area", _("Choose where the visit was (a community or below it)."), "required")
    elif community is None:
        errors.add("area", _("Choose a community or a place in it (a grid, an estate, a building)."), "level")
    elif org is None:
        errors.add("area", _("%(c)s has no party organization to answer it yet.") % {"c": community.name}, "no_org")
    if day is None:
        errors.add("visited_on", _("This field is required."), "required")
    elif day > timezone.localdate():
        errors.add("visited_on", _("Cannot be in the future."), "future")
    if not heard:
        errors.add("heard", _("Write what was heard (the matter, not who said it)."), "required")
    elif len(heard) > HEARD_LENGTH:
        errors.add("heard", _("At most %(n)d characters.") % {"n": HEARD_LENGTH}, "max_length")
    if len(others) > OTHERS_LENGTH:
        errors.add("other_visitors", _("At most %(n)d characters.") % {"n": OTHERS_LENGTH}, "max_length")
    if visitors and acting_user is not None:
        seen = set(Member.objects.restrict(acting_user, "view").filter(pk__in=[m.pk for m in visitors])
                   .values_list("pk", flat=True))  # fmt: skip
        if len(seen) != len({m.pk for m in visitors}):
            errors.add("visitors", _("No such one among those you may see."), "scope")
    if household is not None and community is not None:
        if not household.area.path.startswith(community.path):
            errors.add("household", _("The household lives in another community."), "community")
        elif (
            acting_user is not None
            and not Household.objects.restrict(acting_user, "view").filter(pk=household.pk).exists()
        ):
            errors.add("household", _("No such one among those you may see."), "scope")
    errors.raise_if_any()
    if acting_user is not None and not Area.objects.restrict(acting_user, "add").filter(pk=area.pk).exists():
        raise ScopeViolation(_("You may record visits only in your own territory."))
    data = {"area": area, "org": org, "visited_on": day, "heard": heard, "other_visitors": others,
            "household": household}  # fmt: skip
    return {"data": data, "visitors": visitors}


@transaction.atomic
def do_record_visit(*, acting_user, area, visited_on, heard: str, visitors=(), other_visitors: str = "",
                    household=None, **_ignored) -> Visit:  # fmt: skip
    """A visit recorded by the community's staff (or those above), placed with the community's org."""
    values = {"area": area, "visited_on": visited_on, "visitors": visitors, "other_visitors": other_visitors,
              "heard": heard, "household": household}  # fmt: skip
    checked = _checked(values, acting_user=acting_user)
    visit = do_create(
        Visit, acting_user=acting_user, data={**checked["data"], "recorded_by": acting_user}, clean=False
    )  # fmt: skip  (checked above)
    visit.visitors.set(checked["visitors"])
    return visit


@transaction.atomic
def do_update_visit(visit: Visit, *, acting_user, **data) -> Visit:
    """Any of FIELDS (the others kept); the row locked so that two edits at once do not interleave."""
    ensure_in_scope(visit, acting_user, "change")
    current = Visit.objects.select_for_update(of=("self",)).select_related("area").get(pk=visit.pk)
    values = {f: getattr(current, f) for f in FIELDS if f != "visitors"}
    values["visitors"] = list(current.visitors.all())
    values.update({k: v for k, v in data.items() if k in FIELDS})
    checked = _checked(values, acting_user=acting_user)
    changed = {k: v for k, v in checked["data"].items() if getattr(current, k) != v}
    if changed:
        current = do_update(current, acting_user=acting_user, data=changed, clean=False)  # checked above
    if "visitors" in data:
        current.visitors.set(checked["visitors"])
    return current


@transaction.atomic
def do_delete_visit(visit: Visit, *, acting_user, **_ignored) -> None:
    """Deleted by the staff while nothing was opened from it (a request, a household's help, support given)."""
    do_delete(visit, acting_user=acting_user)


# ---- coverage: which buildings had no visit within the rulebook's months --------------------------------------------


@dataclass
class GridCoverage:
    grid: Area
    buildings: int = 0
    visited: int = 0
    unvisited: list[Area] = field(default_factory=list)

    @property
    def unvisited_count(self) -> int:
        return self.buildings - self.visited


@dataclass
class Coverage:
    community: Area
    since: datetime.date
    months: int
    grids: list[GridCoverage]

    @property
    def buildings(self) -> int:
        return sum(g.buildings for g in self.grids)

    @property
    def visited(self) -> int:
        return sum(g.visited for g in self.grids)


def coverage_window(as_of: datetime.date) -> tuple[int, datetime.date]:
    """(the rulebook's months, the first day that counts): a visit on or after it covers its building."""
    months = int(param("services.visit_coverage_months", as_of))
    return months, add_months(as_of, -months)


def coverage(place, as_of: datetime.date, user) -> Coverage | None:
    """The visit coverage of a community (an Area, or an org with its area): per grid (the community itself when it
    has no grid), its buildings and those with no visit from `coverage_window` to `as_of` — a visit to a building or
    below it, or to a household living there, counts for the building. Four queries however many buildings; only
    the visits `user` may see count. None when `place` is no community or below."""
    area = getattr(place, "area", place) if not isinstance(place, Area) else place
    community = community_at(area) if area is not None else None
    if community is None:
        return None
    months, since = coverage_window(as_of)
    grids = list(Area.objects.filter(path__startswith=community.path, type=AreaType.GRID).order_by("path"))
    buildings = list(Area.objects.filter(path__startswith=community.path, type=AreaType.BUILDING)
                     .order_by("path").only("pk", "path", "name", "code", "type", "depth"))  # fmt: skip
    visits = Visit.objects.restrict(user, "view").filter(area__path__startswith=community.path,
                                                         visited_on__gte=since, visited_on__lte=as_of)  # fmt: skip
    # the paths visited: the visit's area, or the household's area when it names one
    paths = set(visits.filter(household__isnull=True).values_list("area__path", flat=True).distinct())
    paths |= set(visits.filter(household__isnull=False).values_list("household__area__path", flat=True).distinct())
    step = Area.steplen
    # a building is visited when a visited path is the building or below it: compare prefixes of building length
    prefixes = {p[:n] for p in paths for n in range(step, len(p) + 1, step)}
    rows = [GridCoverage(g) for g in grids]
    rest = GridCoverage(community)  # the community itself: no grid, or buildings outside every grid
    for b in buildings:
        holder = next((r for r in rows if b.path.startswith(r.grid.path)), rest)
        holder.buildings += 1
        if b.path in prefixes:
            holder.visited += 1
        else:
            holder.unvisited.append(b)
    if not rows or rest.buildings:
        rows.append(rest)
    return Coverage(community, since, months, rows)
