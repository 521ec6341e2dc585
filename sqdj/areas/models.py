from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import TreeNode

from .choices import AreaType


class Area(TreeNode):
    """A node of the territory tree (区 → 街道 → 社区 → 网格/小区 → 楼栋 → 单元)."""

    code = models.CharField(_("area code"), max_length=32, unique=True)
    name = models.CharField(_("area name"), max_length=100, db_index=True)
    # the name's pinyin, for search (core.pinyin.text_pinyin): "和平社区" → "hepingshequ", "hpsq"
    name_pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)
    name_initials = models.CharField(max_length=100, blank=True, default="", editable=False)
    type = models.CharField(_("area type"), max_length=20, choices=AreaType.choices, db_index=True)

    scope_area_field = ""

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self):
        return self.name

    @property
    def name_with_code(self) -> str:
        """How pickers show an area: names repeat across a city (many a 和平社区), codes do not."""
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self):
        return reverse("areas:area", args=[self.pk])
