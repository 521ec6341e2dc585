"""`{% panel p %}`: render a section another app declared for this page (core.plugins.Panel) with its own
context on top of the page's."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context, declared: dict, part: str = "template"):
    name = declared.get(part)
    if not name:
        return ""
    with context.push(declared):
        return context.template.engine.get_template(name).render(context)
