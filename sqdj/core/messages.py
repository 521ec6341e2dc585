"""Django's own validation messages, worded for the people who read them (issue 14: "确保该变量包含不超过 100 字符"
speaks of a variable). Listed here only so that `makemessages` keeps them in sqdj's catalogue, which comes
before Django's (settings.LOCALE_PATHS): the texts themselves are Django's msgids, exactly."""

from django.utils.translation import gettext_noop, ngettext_lazy

REWORDED = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
)
