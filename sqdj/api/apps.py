from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sqdj.api"
    label = "api"
    verbose_name = "API"
    url_prefix = "api/"
