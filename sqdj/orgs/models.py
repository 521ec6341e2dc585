from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import ChangeLoggedModel, TreeNode

from .choices import GuidanceKind, OrgType, Sector, default_approves_members, default_sector


class Org(TreeNode):
    """A node of the party organization tree (区委 → 街道党工委 → 社区党组织 → 支部 → 党小组)."""

    code = models.CharField(_("organization code"), max_length=32, unique=True)
    name = models.CharField(_("organization name"), max_length=100, db_index=True)
    # the name's pinyin, for search (core.pinyin.text_pinyin): "和平社区" → "hepingshequ", "hpsq"
    name_pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)
    name_initials = models.CharField(max_length=100, blank=True, default="", editable=False)
    type = models.CharField(_("organization type"), max_length=30, choices=OrgType.choices, db_index=True)
    # 领域: required; filled by default_sector on create when not given (editable afterwards)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, db_index=True)
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
    # 具有审批预备党员权限的基层党委 (rules.md 4.15, 6.3): it transfers and receives memberships directly, nationwide
    # (transfers.services.approvers). Filled by type and position on create (choices.default_approves_members);
    # editable, e.g. a 党总支 a county committee authorized. Writers that bypass save() get the database's False.
    approves_members = models.BooleanField(
        _("may approve probationary members"),
        db_default=False,
        help_text=_(
            "A primary party committee with the authority to approve probationary members transfers and receives "
            "memberships directly, anywhere in the country."
        ),
    )
    # 联合党支部: how many units it covers (until the units app links them)
    units_covered = models.PositiveIntegerField(_("units covered"), null=True, blank=True)

    scope_org_field = ""
    scope_guidance = True  # an org guided by one the user sees is seen, read only (core.scope)

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")

    def __str__(self):
        return self.name

    @property
    def name_with_code(self) -> str:
        """How pickers show an org: names repeat across a city (many a 第一党支部), codes do not."""
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        # every path that creates an org (forms, import, API, services, treebeard, fixtures) gets a sector
        if not self.sector:
            self.sector = self.default_sector()
        if not isinstance(self.approves_members, bool):  # not given: the database default, or None
            self.approves_members = default_approves_members(self.type, self.ancestor_types())
        super().save(*args, **kwargs)

    def ancestor_types(self) -> list[str]:
        """The types of the orgs above this one (one query; none for a root or an org not placed yet)."""
        paths = [self.path[:i] for i in range(self.steplen, len(self.path or ""), self.steplen)]
        return list(type(self).objects.filter(path__in=paths).values_list("type", flat=True)) if paths else []

    def default_sector(self) -> str:
        parent_sector = None
        if self.path and len(self.path) > self.steplen:
            parent_sector = (
                type(self).objects.filter(path=self.path[: -self.steplen]).values_list("sector", flat=True).first()
            )
        area_type = self.area.type if self.area is not None else None
        return default_sector(self.type, parent_sector, area_type)

    def get_absolute_url(self):
        return reverse("orgs:org", args=[self.pk])


class GuidanceLink(ChangeLoggedModel):
    """属地管理 / 双重管理 / 指导协调: `org` is guided by `guide` besides its parent — e.g. a 街道党工委 guiding the
    party organization of a unit in its territory whose membership line runs to the unit's own superior. Whoever
    views the guide views the guided org's subtree, its leadership and its counts, read only (core.scope); the
    members stay with their line of membership. A link that ends keeps its history (`ended_on`)."""

    guide = models.ForeignKey(
        Org, verbose_name=_("guiding organization"), on_delete=models.CASCADE, related_name="guided_links"
    )
    org = models.ForeignKey(
        Org, verbose_name=_("guided organization"), on_delete=models.CASCADE, related_name="guidance_links"
    )
    kind = models.CharField(_("kind of guidance"), max_length=20, choices=GuidanceKind.choices)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("link ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    # seen by whoever sees the guided org (its own line, and through the link the guide's admins)
    scope_org_field = "org"
    scope_guidance = True

    class Meta:
        verbose_name = _("guidance link")
        verbose_name_plural = _("guidance links")
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "org"], condition=models.Q(ended_on__isnull=True), name="orgs_one_open_guidance_link"
            ),
            models.CheckConstraint(condition=~models.Q(guide=models.F("org")), name="orgs_guidance_not_itself"),
        ]

    def __str__(self):
        return f"{self.guide} → {self.org}"

    def get_absolute_url(self):
        return self.org.get_absolute_url()
