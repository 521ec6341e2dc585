"""The scope gate: every scoped queryset answers `restrict(user, action)`."""

from __future__ import annotations

from django.db import models
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

from .scope import scope_q


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Only the rows `user` may `action` (view/add/change/delete); deny by default."""
        q = scope_q(user, self.model, action)
        if q is None:
            return self
        return self.filter(q)


class RestrictedTreeQuerySet(RestrictedQuerySet, MP_NodeQuerySet):
    pass


class RestrictedTreeManager(MP_NodeManager.from_queryset(RestrictedTreeQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        return RestrictedTreeQuerySet(self.model, using=self._db).order_by("path")
