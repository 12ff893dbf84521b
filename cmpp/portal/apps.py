from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "cmpp.portal"
    label = "portal"
    verbose_name = "Portal pages"
