from django.contrib.auth import views as auth_views
from django.urls import include, path

from sqdj.api.urls import schema_urlpatterns
from sqdj.core import notifications
from sqdj.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", include("sqdj.orgs.urls")),
    path("areas/", include("sqdj.areas.urls")),
    path("members/", include("sqdj.members.urls")),
    path("stats/", include("sqdj.stats.urls")),
    path("health/", include("sqdj.health.urls")),
    path("rulebook/", include("sqdj.rulebook.urls")),
    path("transfers/", include("sqdj.transfers.urls")),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("api/", include("sqdj.api.urls")),
    *schema_urlpatterns,
]
