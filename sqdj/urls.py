"""The site's URLs: sign-in, notifications, the API, and every app's pages at its declared prefix."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from sqdj.accounts import views as account_views
from sqdj.core import notifications
from sqdj.core.plugins import app_urls

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),  # says the tries left (accounts.views)
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/2fa/", include("sqdj.accounts.twofactor.urls")),  # the second factor (accounts.twofactor)
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("jobs/", include("sqdj.core.job_views")),  # the user's background jobs (core.jobs)
    path("audit/", include("sqdj.core.audit_views")),  # the audit trail, for the audit administrator only (core.audit)
    # the user administration (accounts.admin_views): not under /account/, whose pages skip the second factor
    path("users/", include("sqdj.accounts.admin_urls")),
    *[path(prefix, include(module)) for prefix, module in app_urls()],
]

# a busy database (a lock held past the busy timeout) answers 503 with Retry-After, not 500 (core.errors)
handler500 = "sqdj.core.errors.server_error"
# Chinese 403/404 pages on a layout that cannot fail; a short sentence for htmx, JSON for the API (core.error_pages)
handler403 = "sqdj.core.error_pages.permission_denied"
handler404 = "sqdj.core.error_pages.page_not_found"
