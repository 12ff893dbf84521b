from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cmpp.demo"
    label = "demo"
    verbose_name = "Demo programme"
