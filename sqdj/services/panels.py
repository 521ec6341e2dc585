"""On a community's page (the areas app's): the link to its public service page — stations, public requests, the
residents' form — which staff give out (a poster, a QR code at the service centre)."""

from django.urls import reverse

from sqdj.areas.choices import AreaType
from sqdj.core.plugins import Panel


def public_page_context(area, user) -> dict | None:
    if area.type != AreaType.COMMUNITY:
        return None
    return {"public_url": reverse("services:public_community", args=[area.code])}


panels = [Panel("areas.Area", public_page_context, row="services/_public_page_row.html", order=80)]
