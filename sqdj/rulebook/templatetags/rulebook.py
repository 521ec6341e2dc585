from django import template

from sqdj.rulebook.services import format_value

register = template.Library()


@register.filter
def param_value(value, unit=""):
    """A parameter's value with its unit, as people read it ("50 人", "1/3")."""
    return format_value(value, unit or "")
