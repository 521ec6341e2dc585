"""Change logging: one `ObjectChange` per save or delete of a `ChangeLoggedModel`."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .changelog import log_change
from .models import ChangeLoggedModel, ObjectChange, RuleParameter
from .rules import clear_cache


@receiver(post_save)
def log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    after = instance.snapshot()
    before = None if created else getattr(instance, "_prechange", None)
    if not created and before == after:
        return  # a save that changed nothing is not a change
    log_change(instance, ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE, before, after)
    instance._prechange = after


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    log_change(instance, ObjectChange.Action.DELETE, getattr(instance, "_prechange", None) or instance.snapshot(), None)


post_save.connect(clear_cache, sender=RuleParameter, dispatch_uid="rules_cache_save")
post_delete.connect(clear_cache, sender=RuleParameter, dispatch_uid="rules_cache_delete")
