"""The post part's pages (issue 16): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import post_views as views

urlpatterns = [
    path("post-kinds/", include(views.PostKindViews.urls())),
    path("posts/<int:pk>/close/", views.post_close, name="post_close"),
    path("posts/<int:pk>/claim/", views.post_claim, name="post_claim"),
    path("posts/", include(views.PostViews.urls())),
    path("post-claims/<int:pk>/approve/", views.postclaim_approve, name="postclaim_approve"),
    path("post-claims/<int:pk>/decline/", views.postclaim_decline, name="postclaim_decline"),
    path("post-claims/<int:pk>/end/", views.postclaim_end, name="postclaim_end"),
    path("post-claims/", include(views.PostClaimViews.urls())),
    path("teams/<int:pk>/end/", views.team_end, name="team_end"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("teams/", include(views.TeamViews.urls())),
    path("team-members/<int:pk>/approve/", views.teammember_approve, name="teammember_approve"),
    path("team-members/<int:pk>/decline/", views.teammember_decline, name="teammember_decline"),
    path("team-members/<int:pk>/end/", views.teammember_end, name="teammember_end"),
    path("team-members/", include(views.TeamMemberViews.urls())),
]

menu_items = [
    MenuItem("volunteers:post_list", _("Posts"), "signpost", order=10),
    MenuItem("volunteers:team_list", _("Service teams"), "people", order=11),
    MenuItem("volunteers:postclaim_list", _("Post claims"), "hand-index", order=12),
    MenuItem("volunteers:postkind_list", _("Post catalogue"), "list-ul", order=19),
]
