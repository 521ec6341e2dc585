"""The member page's "away from home" section: the member's open outflow, if the user may see it."""

from django import template

from sqdj.transfers.models import Outflow

register = template.Library()


@register.simple_tag(takes_context=True)
def open_outflow(context, member):
    user = getattr(context.get("request"), "user", None)
    return Outflow.objects.restrict(user, "view").filter(member=member, ended_on__isnull=True).first()
