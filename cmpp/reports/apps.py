from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cmpp.reports"
    label = "reports"
    verbose_name = "Reports and dashboards"
