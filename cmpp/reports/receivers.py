"""What the reports app does when something happens in an app below it that cannot call upwards."""

from django.dispatch import receiver

from cmpp.reports import services
from learners.signals import learners_anonymised


@receiver(learners_anonymised, dispatch_uid="reports.rebuild_naming_reports")
def _rebuild_reports_naming_them(sender, council_since, **kwargs):
    services.council_reports_rebuild(council_since=council_since)
