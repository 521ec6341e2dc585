"""Write paths shared by every app: scope re-check after writing, generic create/update/delete, trees.

Domain apps call these from their own `services.py`; views, API views, importers and CLI commands
call the domain services and hold no rules of their own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import dates
from .context import acting_as
from .scope import is_unrestricted

UNSET = object()
TREE_FIELDS = ["path", "depth", "numchild"]  # set by treebeard, not by the user


class Errors:
    """Collects field errors, then raises them all at once (a service's checks: every mistake in one answer)."""

    def __init__(self):
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str):
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def raise_if_any(self):
        if self.errors:
            raise ValidationError(self.errors)


def end_data(*, reason: str, reasons, ended_on, started_on, note: str = "") -> dict:
    """The fields that end something dated (a registration, a claim, a team membership): `ended_on` (today when
    None) and a `reason` of `reasons`, checked — a reason of the list, not in the future, not before `started_on` —
    or ValidationError with every field's error. What ends is kept: `active` False, the day, the reason, the note."""
    ended_on = ended_on or dates.today()
    errors = Errors()
    if reason not in reasons:
        errors.add("reason", _("Choose why it ends."), "reason")
    if ended_on > dates.today():
        errors.add("ended_on", _("Cannot be in the future."), "future")
    elif ended_on < started_on:
        errors.add("ended_on", _("Cannot be before it began."), "before_start")
    errors.raise_if_any()
    return {"active": False, "ended_on": ended_on, "end_reason": reason, "end_note": (note or "").strip()[:200]}


def merged(obj, fields, data: dict) -> dict:
    """The values after a change: the object's current values (None for a new one) overridden by `data`."""
    current = {f: getattr(obj, f) for f in fields} if obj is not None else dict.fromkeys(fields)
    current.update({k: v for k, v in data.items() if k in fields})
    return current


class Conflict(Exception):
    """Someone else changed the object first (its version moved on); nothing was written (409 in the API)."""

    default_message = gettext_lazy("Someone else changed this in the meantime. Reload it and try again.")

    def __init__(self, message: str | None = None):
        super().__init__(str(message or self.default_message))


class ScopeViolation(PermissionDenied):
    """The write would put an object where the acting user may not see it; the transaction rolls back."""


def ensure_in_scope(obj, user, action: str = "view"):
    """Re-read `obj` through the scope gate inside the transaction (style.md §6.5)."""
    if user is None:  # system jobs (migrations, generators) act without a user
        return
    if not type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise ScopeViolation(_("You may not save this object there: it would be outside your scope."))


def blocking_dependents(obj, ignore: tuple[str, ...] = ()) -> list[str]:
    """Human-readable reasons why `obj` may not be deleted: rows in other tables still point at it."""
    reasons = []
    # the reverse relations, and the hidden ones that protect (a foreign key declared with related_name="+" and
    # on_delete=PROTECT would otherwise end the delete in a database error)
    hidden = [
        f for f in obj._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and f.hidden and not f.related_model._meta.auto_created
        and getattr(f, "on_delete", None) in (models.PROTECT, models.RESTRICT)
    ]  # fmt: skip
    for rel in [*obj._meta.related_objects, *hidden]:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model._meta.label in ignore:
            continue
        count = rel.related_model._default_manager.filter(**{rel.field.name: obj}).count()
        if count:
            reasons.append(
                _("%(count)d %(things)s still refer to it")
                % {"count": count, "things": rel.related_model._meta.verbose_name_plural}
            )
    return reasons


def save_checked(obj, *, acting_user, action: str | None, clean: bool = True, exclude=None):
    """The end of every write: `full_clean()` (unless the service validated everything itself: `clean=False`),
    `save()` attributed to `acting_user` in the change log, then the object re-read through the scope gate for
    `action` (None: the service decided who may act, e.g. a workflow step). Runs in the caller's transaction."""
    if clean:
        obj.full_clean(exclude=exclude)
    with acting_as(acting_user):
        obj.save()
    if action is not None:
        ensure_in_scope(obj, acting_user, action)
    return obj


# savepoint=False: inside a service's transaction these add no SAVEPOINT round trips (an error rolls back the whole
# service, as it should); called on their own they are one transaction.
@transaction.atomic(savepoint=False)
def do_create(model, *, acting_user, data: dict, clean: bool = True, action: str | None = "add"):
    """Create a `model` from `data`: cleaned, saved, and in the user's scope for `action` (None: the caller decided
    who may act) — or nothing is saved."""
    return save_checked(model(**data), acting_user=acting_user, action=action, clean=clean)


@transaction.atomic(savepoint=False)
def do_update(obj, *, acting_user, data: dict | None = None, clean: bool = True, action: str | None = "change"):
    """Set `data` on `obj`, clean, save, and check that the user may still `action` it (None: the caller decided
    who may act) — or nothing is saved."""
    for k, v in (data or {}).items():
        setattr(obj, k, v)
    return save_checked(obj, acting_user=acting_user, action=action, clean=clean)


@transaction.atomic
def do_delete(obj, *, acting_user):
    reasons = blocking_dependents(obj)
    if reasons:
        raise ValidationError(_("Cannot delete: %(reasons)s.") % {"reasons": "；".join(reasons)})
    ensure_in_scope(obj, acting_user, "delete")
    with acting_as(acting_user):
        obj.delete()


class TreeRules:
    """The structural rules of one tree: which types may sit under which, which may be roots."""

    def __init__(self, model, allowed_parents: dict, root_types: set, type_label):
        self.model = model
        self.allowed_parents = allowed_parents
        self.root_types = root_types
        self.type_label = type_label

    def parent_error(self, node_type: str, parent) -> str | None:
        """Why `parent` cannot hold a node of `node_type` (None when it can)."""
        if parent is None:
            if node_type not in self.root_types:
                return _("A %(type)s needs a parent.") % {"type": self.type_label(node_type)}
            return None
        if parent.type not in self.allowed_parents.get(node_type, set()):
            return _("A %(type)s cannot be placed under a %(parent)s.") % {
                "type": self.type_label(node_type),
                "parent": self.type_label(parent.type),
            }
        return None

    def children_errors(self, node_type: str, node) -> str | None:
        """Why the existing children of `node` could not stay under it if it became `node_type`."""
        if node.pk is None or node.numchild == 0:
            return None
        bad = [
            c
            for c in self.model.objects.get_children(node).only("type")
            if node_type not in self.allowed_parents.get(c.type, set())
        ]
        if bad:
            return _("Its subordinate %(type)s cannot be under a %(new)s.") % {
                "type": self.type_label(bad[0].type),
                "new": self.type_label(node_type),
            }
        return None

    def check_parent_permission(self, parent, acting_user):
        if acting_user is None:
            return
        if parent is None:
            if not is_unrestricted(acting_user):
                raise ScopeViolation(_("Only a system administrator may create a top-level node."))
            return
        if not self.model.objects.restrict(acting_user, "add").filter(pk=parent.pk).exists():
            raise ScopeViolation(_("You may not add anything under %(parent)s.") % {"parent": parent})

    @transaction.atomic
    def create(self, *, acting_user, parent, data: dict):
        obj = self.model(**data)
        err = self.parent_error(obj.type, parent)
        if err:
            raise ValidationError({"parent": err})
        obj.full_clean(exclude=TREE_FIELDS)
        self.check_parent_permission(parent, acting_user)
        with acting_as(acting_user):
            if parent is None:
                obj = self.model.objects.add_root(instance=obj)
            else:
                obj = self.model.objects.add_child(parent, instance=obj)
        ensure_in_scope(obj, acting_user, "add")
        return obj

    @transaction.atomic
    def update(self, obj, *, acting_user, data: dict, parent=UNSET):
        ensure_in_scope(obj, acting_user, "change")
        current_parent = self.model.objects.get_parent(obj)
        new_type = data.get("type", obj.type)
        target_parent = current_parent if parent is UNSET else parent
        moving = parent is not UNSET and getattr(parent, "pk", None) != getattr(current_parent, "pk", None)
        err = self.parent_error(new_type, target_parent) if (moving or new_type != obj.type) else None
        if err:
            raise ValidationError({"parent": err})
        err = self.children_errors(new_type, obj) if new_type != obj.type else None
        if err:
            raise ValidationError({"type": err})
        if moving:
            if target_parent is not None and (target_parent.pk == obj.pk or target_parent.path.startswith(obj.path)):
                raise ValidationError({"parent": _("A node cannot be moved under itself or its own descendants.")})
            self.check_parent_permission(target_parent, acting_user)
            if target_parent is None:
                raise ValidationError({"parent": _("A node cannot be made a top-level node.")})
            self.model.objects.move(obj, target_parent, "last-child")
            fresh = self.model.objects.get(pk=obj.pk)
            obj.path, obj.depth = fresh.path, fresh.depth
        for k, v in data.items():
            setattr(obj, k, v)
        return save_checked(obj, acting_user=acting_user, action="change", exclude=TREE_FIELDS)

    @transaction.atomic
    def delete(self, obj, *, acting_user):
        ensure_in_scope(obj, acting_user, "delete")
        obj = self.model.objects.get(pk=obj.pk)
        if obj.numchild:
            raise ValidationError(
                _("Cannot delete %(name)s: it has %(n)d subordinate nodes.") % {"name": obj, "n": obj.numchild}
            )
        do_delete(obj, acting_user=acting_user)
