from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core.scope import anchors, is_unrestricted
from sqdj.core.views import ModelViews
from sqdj.core.widgets import PickSet

from . import services
from .choices import RECEIVING_TYPES
from .filtersets import (
    OrgFilterSet,
)
from .forms import OrgForm
from .importers import OrgImporter
from .models import Org
from .tables import OrgTable


class OrgViews(ModelViews):
    model = Org
    queryset = Org.objects.select_related("area")
    table = OrgTable
    filterset = OrgFilterSet
    form = OrgForm
    importer = OrgImporter
    create_service = staticmethod(services.do_create_org)
    update_service = staticmethod(services.do_update_org)
    delete_service = staticmethod(services.do_delete_org)
    detail_template = "orgs/org.html"
    extra_list_actions = (("orgs:org_tree", _("Organization tree"), "diagram-3"),)
    pick_fields = ("name", "code")
    pick_pinyin_fields = ("name_pinyin", "name_initials")
    pick_filters = ("type",)
    # a transfer's receiving org: any org of the deployment that can receive a membership (org names are public;
    # the sender rarely sees the receiving side)
    pick_sets = {"receiving": PickSet(Q(type__in=RECEIVING_TYPES), public=True)}

    @classmethod
    def pick_label(cls, obj) -> str:
        return obj.name_with_code

    @classmethod
    def detail_context(cls, obj, user):
        visible = obj.area_id is not None and Area.objects.restrict(user, "view").filter(pk=obj.area_id).exists()
        return {"area_visible": visible}


@login_required
def org_tree(request):
    """The org tree from the user's own top nodes down; deeper levels load on demand (htmx)."""
    user = request.user
    visible = Org.objects.restrict(user, "view")
    if is_unrestricted(user):
        roots = list(Org.objects.filter(depth=1).order_by("path"))
    else:
        seen, roots = set(), []
        for org, _desc in sorted(anchors(user, "view"), key=lambda a: a[0].path):
            if not any(org.path.startswith(p) for p in seen):
                seen.add(org.path)
                roots.append(org)
    return render(request, "orgs/org_tree.html", {"roots": [_subtree(visible, r, levels=2) for r in roots]})


def _subtree(visible, root, levels):
    """The visible part of `root`'s subtree, `levels` deep, as nested (node, children) pairs."""
    nodes = list(visible.filter(path__startswith=root.path, depth__lte=root.depth + levels).order_by("depth", "code"))
    kids = {}
    for n in nodes:
        kids.setdefault(n.path[: -Org.steplen], []).append(n)

    def build(node):
        return {
            "node": node,
            "children": [build(c) for c in kids.get(node.path, [])],
            "more": node.numchild > 0 and node.depth >= root.depth + levels,
        }

    return build(root)


@login_required
def org_tree_children(request, pk):
    parent = get_object_or_404(Org.objects.restrict(request.user, "view"), pk=pk)
    children = Org.objects.get_children(parent).restrict(request.user, "view").order_by("code")
    return render(
        request,
        "orgs/_tree_nodes.html",
        {"items": [{"node": c, "children": [], "more": c.numchild > 0} for c in children]},
    )
