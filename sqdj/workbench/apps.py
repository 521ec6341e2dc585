from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """工作台: the home page, assembled from the tiles and to-do sources the apps declare (their workbench.py)."""

    name = "sqdj.workbench"
    label = "workbench"
    verbose_name = _("Workbench")
    url_prefix = ""
