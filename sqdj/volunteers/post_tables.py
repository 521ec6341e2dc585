import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Post, PostClaim, PostKind, Team, TeamMember


def verbatim(code: str):
    """A code is read as it is: not a word to translate (the crawl and browsers' translation leave it alone)."""
    return format_html('<code translate="no">{}</code>', code)


class PostKindTable(BaseTable):
    # PostKind has no get_absolute_url (models.py is not this part's)
    code = tables.Column(linkify=lambda record: reverse("volunteers:postkind", args=[record.pk]))
    name = tables.Column(verbose_name=_("kind name"))
    org = tables.Column(verbose_name=_("party organization"), default="—", order_by=("org__path",))
    position = tables.Column()
    active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = PostKind
        fields = ("code", "name", "org", "position", "active")
        order_by = ("position",)

    def render_code(self, value):
        return verbatim(value)


class PostTable(BaseTable):
    title = tables.Column(verbose_name=_("volunteer post"), linkify=lambda record: record.get_absolute_url())
    community = tables.Column(order_by=("community__path",))
    kind = tables.Column(order_by=("kind__position",))
    service_area = tables.Column()
    places = tables.Column(verbose_name=_("approved / wanted"))
    starts_on = DateColumn()
    ends_on = DateColumn()
    closed_on = DateColumn(verbose_name=_("closed to claims on"))

    class Meta(BaseTable.Meta):
        model = Post
        fields = ("title", "community", "kind", "service_area", "places", "starts_on", "ends_on", "closed_on")
        order_by = ("-starts_on",)

    def render_places(self, value, record):
        # the list's queryset counts the approved claims (PostViews.queryset)
        return f"{getattr(record, 'approved', 0)} / {value}"


class _ClaimTable(BaseTable):
    """A member is shown by name (no link: the claim's page links to the member for those who may see them)."""

    member = tables.Column(verbose_name=_("party member"), accessor="member__name", order_by=("member__name",),
                           linkify=lambda record: record.get_absolute_url())  # fmt: skip
    state = tables.Column()
    applied_on = DateColumn()
    ended_on = DateColumn()


class PostClaimTable(_ClaimTable):
    post = tables.Column(verbose_name=_("volunteer post"), order_by=("post__title",))
    community = tables.Column(verbose_name=_("community"), accessor="post__community__name", orderable=False)

    class Meta(BaseTable.Meta):
        model = PostClaim
        fields = ("member", "post", "community", "state", "applied_on", "ended_on")
        order_by = ("-applied_on",)


class TeamTable(BaseTable):
    name = tables.Column(verbose_name=_("team name"), linkify=lambda record: record.get_absolute_url())
    community = tables.Column(order_by=("community__path",))
    org = tables.Column(verbose_name=_("party organization"), order_by=("org__path",))
    service_area = tables.Column()
    founded_on = DateColumn()
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Team
        fields = ("name", "community", "org", "service_area", "founded_on", "ended_on")
        order_by = ("name",)


class TeamMemberTable(_ClaimTable):
    team = tables.Column(order_by=("team__name",))
    community = tables.Column(verbose_name=_("community"), accessor="team__community__name", orderable=False)

    class Meta(BaseTable.Meta):
        model = TeamMember
        fields = ("member", "team", "community", "state", "applied_on", "ended_on")
        order_by = ("-applied_on",)
