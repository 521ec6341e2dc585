from django.apps import AppConfig


class PluginAppConfig(AppConfig):
    """A domain app written the way every sqdj app is: it plugs in by declarations in its own files alone."""

    name = "tests.plugin_app"
    label = "plugin_app"
    verbose_name = "Notes (plug-in test app)"
    sqdj_plugin = True  # an app outside the sqdj package asks to be read for declarations
    url_prefix = "notes/"
