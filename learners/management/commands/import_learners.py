"""python manage.py import_learners FILE.csv [--dry-run]: the web import's rules, from a shell."""

from django.core.management.base import BaseCommand, CommandError

from learners.imports import (
    MAX_LEARNERS,
    ImportCounts,
    LearnerImportRefused,
    learners_import_preview,
)
from learners.services import learners_import


def _describe(counts: ImportCounts) -> str:
    return f"{counts.added} added, {counts.updated} updated, {counts.enrolled} enrolled in cohorts"


class Command(BaseCommand):
    help = (
        "Import learners from a CSV file with the columns council_code, first_name, last_name, "
        f"email, job_title, target_level, cohort_code, up to {MAX_LEARNERS:,} learners in one "
        "file. Saves nothing if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file, UTF-8 with or without a byte-order mark")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; save nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            with open(file, "rb") as source:
                preview = learners_import_preview(source)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            if not preview.is_valid:
                raise LearnerImportRefused.of(preview)
            if dry_run:
                self.stdout.write(f"Dry run, nothing saved. Would be {_describe(preview.counts)}.")
                return
            counts = learners_import(preview=preview, acting_user=None)
        except LearnerImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"Line {problem.line}: {problem.reason}")
            raise CommandError(str(refused)) from refused
        self.stdout.write(self.style.SUCCESS(f"Imported: {_describe(counts)}."))
