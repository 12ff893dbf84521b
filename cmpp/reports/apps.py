from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cmpp.reports"
    label = "reports"
    verbose_name = "Reports and dashboards"

    def ready(self):
        from cmpp.reports import receivers  # noqa: F401 - connects the receivers
