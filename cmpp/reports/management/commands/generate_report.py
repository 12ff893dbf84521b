"""Render a progress report now, without a worker: the same PDF the task builds."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cmpp.accounts.models import Organisation
from cmpp.reports.models import ProgressReport
from cmpp.reports.services import report_render
from councils.models import Council


class Command(BaseCommand):
    help = "Write a managing body's programme report, or a council's report, to a PDF file."

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--body", help="dluhc or local-partnerships")
        subject.add_argument("--council", help="the council's ONS code, like E06000038")
        parser.add_argument(
            "--as-at", type=date.fromisoformat, help="YYYY-MM-DD (today if left out)"
        )
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, body=None, council=None, as_at=None, output, **options):
        report = ProgressReport(as_at=as_at or timezone.localdate())
        if body:
            report.kind = ProgressReport.Kind.PROGRAMME
            report.organisation = Organisation.objects.filter(
                slug=body, can_manage_councils=True
            ).first()
            if report.organisation is None:
                bodies = Organisation.objects.filter(can_manage_councils=True)
                names = ", ".join(bodies.values_list("slug", flat=True))
                raise CommandError(
                    f"There is no managing body called {body!r}. Use one of: {names}"
                )
        else:
            report.kind = ProgressReport.Kind.COUNCIL
            report.council = Council.objects.filter(code__iexact=council.strip()).first()
            if report.council is None:
                raise CommandError(f"There is no council with the code {council!r}.")
        rendered = report_render(report)
        output.write_bytes(rendered.pdf)
        self.stdout.write(f"Wrote {output} ({rendered.pages} pages).")
