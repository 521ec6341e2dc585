"""Change logging: one `ObjectChange` per save or delete of a `ChangeLoggedModel`."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .context import current
from .models import ChangeLoggedModel, ObjectChange, RuleParameter
from .rules import clear_cache


def _write(instance, action, before, after):
    ctx = current()
    user = ctx.user if ctx else None
    ObjectChange.objects.create(
        user=user if getattr(user, "pk", None) else None,
        user_name=getattr(user, "username", "") or "",
        request_id=ctx.request_id if ctx else None,
        remote_addr=ctx.remote_addr if ctx else None,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


@receiver(post_save)
def log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    after = instance.snapshot()
    before = None if created else getattr(instance, "_prechange", None)
    if not created and before == after:
        return  # a save that changed nothing is not a change
    _write(instance, ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE, before, after)
    instance._prechange = after


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    _write(instance, ObjectChange.Action.DELETE, getattr(instance, "_prechange", None) or instance.snapshot(), None)


post_save.connect(clear_cache, sender=RuleParameter, dispatch_uid="rules_cache_save")
post_delete.connect(clear_cache, sender=RuleParameter, dispatch_uid="rules_cache_delete")
