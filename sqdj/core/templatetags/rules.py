import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from sqdj.core.rules import title_of, titled, value_labels

register = template.Library()

_RULE_ID = re.compile(r"\b[a-z]+(?:\.[a-z_]+)+\b")
_WORD = re.compile(r"\b[a-z_]+\b")


@register.filter
def rule_title(rule_id):
    """A rule's or parameter's name in the user's language (core.rules.title_of), never its id."""
    return title_of(str(rule_id))


@register.filter
def rule_note(text, unit=""):
    """A rulebook row's note as people read it: a rule id it mentions by the rule's title, and the words a variant's
    value is written with (the keys of `transfer.approval_level`, say) marked as words to type, not to translate,
    with their meaning; line breaks kept."""
    labels, keys = value_labels(unit or "")
    words = {**labels, **keys}

    def rule(match):
        return title_of(match.group(0)) if titled(match.group(0)) else match.group(0)

    def word(match):
        found = match.group(0)
        if found not in words:
            return found
        return format_html('<code translate="no">{}</code>（{}）', found, words[found])

    out = _RULE_ID.sub(rule, escape(str(text)))
    out = _WORD.sub(word, out)
    return mark_safe(out.replace("\n", "<br>"))  # noqa: S308 (escaped above; only our markup added)
