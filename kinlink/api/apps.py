from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kinlink.api"
    verbose_name = "API"
