"""The change log's rows, built in one place: by the signal handlers (one `ObjectChange` per save or delete,
core.signals) and by the bulk paths (many at once through core.bulk, e.g. the member importer)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .context import current
from .models import ObjectChange

# the columns of a change-log row, in the order of `change_row`
COLUMNS = ("time", "user_id", "user_name", "request_id", "remote_addr", "action", "content_type_id", "object_id",
           "object_repr", "prechange_data", "postchange_data")  # fmt: skip


def attribution(ctx=None) -> tuple:
    """(user_id, user_name, request_id, remote_addr) of the change context `ctx` (default: the current one, i.e.
    the request or `acting_as`); work without a user is logged without one."""
    ctx = current() if ctx is None else ctx
    user: Any = ctx.user if ctx else None
    return (
        user.pk if getattr(user, "pk", None) else None,
        getattr(user, "username", "") or "",
        ctx.request_id if ctx else None,
        ctx.remote_addr if ctx else None,
    )


def change_row(instance, action: str, before, after, *, who: tuple, ct: int, time=None) -> tuple:
    """The change-log row of `instance` as COLUMNS values: `who` from `attribution()` (once per batch), `ct` the
    id of the instance's content type, `time` None for "now" when saved through the ORM."""
    return (time, *who, action, ct, instance.pk, str(instance)[:200], before, after)


def log_change(instance, action: str, before, after) -> ObjectChange:
    """Save one change-log row for `instance`, attributed to the current context."""
    row = change_row(
        instance,
        action,
        before,
        after,
        who=attribution(),
        ct=ContentType.objects.get_for_model(type(instance)).pk,
    )
    change = ObjectChange.objects.create(**dict(zip(COLUMNS[1:], row[1:], strict=True)))
    audit.record_change(instance, change)  # the audit trail's event, in the same transaction
    return change


YES_NO = {True: gettext_lazy("yes"), False: gettext_lazy("no")}


def readable_diff(diff: dict, model) -> list[tuple[Any, Any, Any]]:
    """A change's differences as a user reads them: (the field's name in the user's language, before, after), a
    choice shown by its label and a reference by the name of the object it points to (not its stored value or id).
    A field the model no longer has keeps its stored name."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    by_attname = {f.attname: f for f in fields.values()}
    wanted: dict[Any, set] = {}  # related model -> the ids to name
    for key, values in diff.items():
        field = fields.get(key) or by_attname.get(key)
        if field is not None and field.is_relation and field.related_model is not None:
            wanted.setdefault(field.related_model, set()).update(v for v in values if v not in (None, ""))
    names = {
        related: {o.pk: str(o) for o in related._base_manager.filter(pk__in=pks)}
        for related, pks in wanted.items()
        if pks
    }
    out = []
    listed = getattr(model, "change_log_choices", {})  # a list of codes (a JSON field): shown by their labels
    for key, (before, after) in diff.items():
        field = fields.get(key) or by_attname.get(key)
        if field is None:
            out.append((key, before, after))
            continue
        if key in listed:
            labels = dict(listed[key].choices)
            shown = ["、".join(str(labels.get(v, v)) for v in value) if isinstance(value, list) else value
                     for value in (before, after)]  # fmt: skip
        elif field.is_relation and field.related_model is not None:
            known = names.get(field.related_model, {})
            shown = [known.get(v, v) if v not in (None, "") else v for v in (before, after)]
        elif getattr(field, "pii", False):
            shown = _masked_pair(before, after)
        elif field.choices:
            labels = {str(value): label for value, label in field.flatchoices}
            shown = [labels.get(str(v), v) if v not in (None, "") else v for v in (before, after)]
        elif field.get_internal_type() == "BooleanField":  # a yes or a no in the user's words, not True/False
            shown = [YES_NO.get(v, v) for v in (before, after)]
        else:
            shown = [before, after]
        out.append((field.verbose_name, shown[0], shown[1]))
    return out


def _masked_pair(before, after) -> list:
    """A personal number's change as stored (`masked·hash`, core.pii): the masks alone — the hash is a code, not
    something to read — and, where the two masks look alike, a word that the number changed all the same."""
    b_mask, _sep, b_hash = str(before or "").partition("·")
    a_mask, _sep, a_hash = str(after or "").partition("·")
    shown: list = [b_mask or before, a_mask or after]
    if b_mask and b_mask == a_mask and b_hash != a_hash:
        shown[1] = _("%(masked)s (another number)") % {"masked": a_mask}
    return shown
