"""The member page's "away from home" section: the member's open outflow, if the user may see it."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def open_outflow(context, member):
    from sqdj.transfers.models import Outflow

    user = getattr(context.get("request"), "user", None)
    return Outflow.objects.restrict(user, "view").filter(member=member, ended_on__isnull=True).first()
