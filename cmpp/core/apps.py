from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cmpp.core"
    label = "core"
    verbose_name = "Core"
