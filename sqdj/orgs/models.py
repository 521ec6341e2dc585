from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import TreeNode

from .choices import OrgType


class Org(TreeNode):
    """A node of the party organization tree (区委 → 街道党工委 → 社区党组织 → 支部 → 党小组)."""

    code = models.CharField(_("organization code"), max_length=32, unique=True)
    name = models.CharField(_("organization name"), max_length=100, db_index=True)
    type = models.CharField(_("organization type"), max_length=30, choices=OrgType.choices, db_index=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("located in area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orgs",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_started_on = models.DateField(_("current term started on"), null=True, blank=True)
    # 延期换届 (选举条例第三条): the term runs to this date instead, with the superior's approval recorded
    term_extended_to = models.DateField(_("term extended to"), null=True, blank=True)
    term_extension_approval = models.CharField(_("approval of the extension"), max_length=200, blank=True)
    # 联合党支部: how many units it covers (until the units app links them)
    units_covered = models.PositiveIntegerField(_("units covered"), null=True, blank=True)

    scope_org_field = ""

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("orgs:org", args=[self.pk])
