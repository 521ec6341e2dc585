"""On a unit's page (the units app's, declared by label: the apps are siblings and either may be left out): the
communities the unit's party organization has registered with (单位报到)."""

from sqdj.core.plugins import Panel

from .models import UnitRegistration


def unit_registrations_context(unit, user) -> dict | None:
    if unit.org_id is None:
        return None
    rows = list(
        UnitRegistration.objects.restrict(user, "view")
        .filter(org_id=unit.org_id)
        .select_related("community")
        .order_by("-active", "-registered_on", "pk")[:20]
    )
    return {"unit_registrations": rows} if rows else None


panels = [Panel("units.Unit", unit_registrations_context, template="volunteers/_unit_registrations.html", order=70)]
