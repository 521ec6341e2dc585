"""On an org's page: the units whose party organization it is (the link seen from both sides; the unit page links
back to its org). On a unit's page: its actions that other parts of the app carry out."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.plugins import Action, Panel
from sqdj.core.scope import can

from .choices import ENDED_STATUSES
from .models import Agreement, CouncilMember, Unit


def org_units_context(org, user) -> dict | None:
    units = list(
        Unit.objects.restrict(user, "view").filter(org=org).only("pk", "name", "category").order_by("name")[:51]
    )
    if not units:
        return None
    return {"units": units[:50], "more": len(units) > 50}


def registration_cobuilding_context(registration, user) -> dict | None:
    """On a unit registration (单位报到, the volunteers app's): the co-building this app keeps with the registered
    org's units — those units, their agreements in force with the community's org, their council seats. The
    registration is declared by label: the two apps never import each other."""
    units = list(
        Unit.objects.restrict(user, "view").filter(org_id=registration.org_id).only("pk", "name").order_by("name")[:20]
    )
    if not units:
        return None
    today = dates.today()
    agreements = (
        Agreement.objects.restrict(user, "view")
        .filter(units__in=units, org__area__path__startswith=registration.community.path, starts_on__lte=today,
                ends_on__gte=today, ended_on__isnull=True)
        .distinct().order_by("-starts_on", "pk")[:20]
    )  # fmt: skip
    seats = (
        CouncilMember.objects.restrict(user, "view")
        .filter(unit__in=units, ended_on__isnull=True)
        .select_related("council", "unit").order_by("council__name", "pk")[:20]
    )  # fmt: skip
    return {"cobuilding_units": units, "cobuilding_agreements": list(agreements), "cobuilding_seats": list(seats)}


panels = [
    Panel("orgs.Org", org_units_context, template="units/registry/_org_units.html", order=60),
    Panel("volunteers.UnitRegistration", registration_cobuilding_context, template="units/_cobuilding.html", order=60),
]


def _may_change(unit, user) -> bool:
    return can(user, "change", unit)


def _operating(unit, user) -> bool:
    return unit.status not in ENDED_STATUSES and _may_change(unit, user)


# on the unit's own page: the intake part's actions on it (assign an instructor or liaison; record its end)
actions = [
    Action(
        "units.Unit",
        _("Assign an instructor or liaison"),
        "person-plus",
        lambda unit: reverse("units:instructor_add", args=[unit.pk]),
        _operating,
        key="unit-instructor-add",
        order=20,
    ),
    Action(
        "units.Unit",
        _("Offer a resource"),
        "box-seam",
        lambda unit: reverse("units:resource_add") + f"?unit={unit.pk}",
        _operating,
        key="unit-resource-add",
        order=30,
    ),
    Action(
        "units.Unit",
        _("End the unit"),
        "box-arrow-right",
        lambda unit: reverse("units:unit_end", args=[unit.pk]),
        _operating,
        key="unit-end",
        order=90,
    ),
]
