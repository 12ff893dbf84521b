"""Reading a learner CSV (the contract in docs/architecture.md) into a preview: the learners it
would add, the ones it would update and how, and every wrong row with its line and why. Nothing
here writes."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count
from django.db.models.functions import Lower, Upper
from django.template.defaultfilters import pluralize

from cmpp.core.csv import CsvFileError, decode_utf8, read_limited
from cmpp.core.text import control_character
from cohorts.models import AccreditationLevel, Cohort
from councils.models import Council
from learners.models import Enrolment, Learner
from learners.selectors import uses_funded_place

COLUMNS = (
    "council_code",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "target_level",
    "cohort_code",
)
REQUIRED = ("council_code", "first_name", "last_name", "email", "target_level")
_MISSING = {
    "council_code": "Enter the council’s code, for example E06000038",
    "first_name": "Enter the learner’s first name",
    "last_name": "Enter the learner’s last name",
    "email": "Enter the learner’s email address",
    "target_level": "Enter {levels}",
}
# A file holds at most this many learners: a national intake at once, and few enough that the
# check stays quick in the upload's request (the import itself runs as a job).
MAX_LEARNERS = 20_000
# Longest value each column may hold, from the model, so a row that passes here also saves.
MAX_LENGTHS = {
    name: Learner._meta.get_field(name).max_length
    for name in ("first_name", "last_name", "email", "job_title")
}


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class ImportCounts:
    added: int
    updated: int
    enrolled: int
    # After an import: the learners it added and those whose details it changed, by name.
    added_learners: tuple = field(default=(), compare=False)
    updated_learners: tuple = field(default=(), compare=False)


@dataclass(frozen=True)
class FundedPlacesWarning:
    """A council whose learners would use more funded places than it has, if the file's
    enrolments all got places."""

    council: Council
    used_now: int
    added_by_file: int

    @property
    def would_use(self) -> int:
        return self.used_now + self.added_by_file

    def __str__(self):
        council = self.council
        return (
            f"{council.name} would use {self.would_use} funded places of its "
            f"{council.funded_places}: {self.used_now} now and {self.added_by_file} more "
            "from this file"
        )


@dataclass
class LearnerRow:
    """A good row: the learner it adds, or the known learner it updates with `updates`."""

    line: int
    council: Council
    first_name: str
    last_name: str
    email: str
    job_title: str
    target_level: AccreditationLevel
    cohort: Cohort | None
    learner: Learner | None = None
    updates: dict = field(default_factory=dict)
    enrol: bool = False

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """Each change to a known learner as (what, from, to), in words."""
        return [
            (Learner._meta.get_field(name).verbose_name, str(getattr(self.learner, name)), str(new))
            for name, new in self.updates.items()
        ]


@dataclass
class ImportPreview:
    data: bytes
    file_error: str = ""
    problems: list[RowProblem] = field(default_factory=list)
    to_add: list[LearnerRow] = field(default_factory=list)
    to_update: list[LearnerRow] = field(default_factory=list)
    unchanged: list[LearnerRow] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.file_error and not self.problems

    def funded_places_warnings(self) -> list[FundedPlacesWarning]:
        """Councils the file would take past their funded places. A learner uses a funded
        place by the one rule (`uses_funded_place`: a place, held or completed, at a funded
        level), so the file adds one for each learner it enrols in a funded level's cohort who
        uses none yet. It is a warning, not a refusal: a full cohort's learners wait, and
        staff may agree extra places."""
        extra = defaultdict(set)
        for row in self.to_add + self.to_update:
            if row.enrol and row.cohort is not None and row.cohort.level.is_funded:
                extra[row.council.pk].add(row.email.lower())
        if not extra:
            return []
        already = set(
            Learner.objects.filter(council__in=list(extra))
            .filter(uses_funded_place())
            .values_list(Lower("email"), flat=True)
        )
        used = dict(
            Learner.objects.filter(council__in=list(extra))
            .filter(uses_funded_place())
            .values_list("council")
            .annotate(n=Count("pk"))
        )
        councils = Council.objects.in_bulk(list(extra))
        warnings = []
        for council_id, emails in extra.items():
            council = councils[council_id]
            added = len(emails - already)
            if used.get(council_id, 0) + added > council.funded_places:
                warnings.append(FundedPlacesWarning(council, used.get(council_id, 0), added))
        return sorted(warnings, key=lambda warning: warning.council.name)

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts(
            added=len(self.to_add),
            updated=sum(1 for row in self.to_update if row.updates),
            enrolled=sum(1 for row in self.to_add + self.to_update if row.enrol),
        )


class LearnerImportRefused(ValueError):
    """Nothing was imported. `problems` lists the wrong rows, if rows were the reason."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None):
        super().__init__(message)
        self.problems = problems or []

    @classmethod
    def of(cls, preview: ImportPreview) -> "LearnerImportRefused":
        wrong = len({problem.line for problem in preview.problems})
        return cls(
            preview.file_error
            or f"Nothing was imported because {wrong} row{pluralize(wrong)} "
            f"{'is' if wrong == 1 else 'are'} wrong",
            preview.problems,
        )


def learners_import_preview(source: bytes | BinaryIO) -> ImportPreview:
    """Read and check a learner CSV (bytes or a binary file) without saving anything.

    Lines are counted as a spreadsheet numbers rows: the header is line 1. Blank rows are
    skipped. Councils, levels, cohorts and known learners are looked up in five queries
    whatever the file's size.
    """
    try:
        data = read_limited(source)
        records = _records(decode_utf8(data))
    except CsvFileError as exc:
        return ImportPreview(data=b"", file_error=str(exc))
    return _check(data, records)


@dataclass(frozen=True)
class _Record:
    line: int
    values: dict[str, str]
    width: int
    header_width: int


def _header_error(header: list[str]) -> str:
    for name in COLUMNS:
        if header.count(name) > 1:
            return f"The header row (line 1) has the column {name} more than once"
    missing = [name for name in COLUMNS if name not in header]
    if not missing:
        return ""
    unknown = [f"‘{name}’" for name in header if name and name not in COLUMNS]
    return (
        f"The header row (line 1) is missing the column{'s' if len(missing) > 1 else ''} "
        f"{', '.join(missing)}"
        + (f" (it has {', '.join(unknown)} instead)" if unknown else "")
        + f". Line 1 must be: {','.join(COLUMNS)}"
    )


def _records(text: str) -> list[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        if error := _header_error(header):
            raise CsvFileError(error)
        position = {name: header.index(name) for name in COLUMNS}
        records, rows = [], 0
        for line, row in enumerate(reader, start=2):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            rows += 1
            if rows > MAX_LEARNERS:
                continue  # counted, to say how big the file is, but not checked
            records.append(
                _Record(
                    line=line,
                    values={
                        name: cells[i] if i < len(cells) else "" for name, i in position.items()
                    },
                    width=len(cells),
                    header_width=len(header),
                )
            )
    except csv.Error as exc:
        raise CsvFileError(
            f"The file could not be read as CSV near line {reader.line_num} ({exc})"
        ) from None
    if not records:
        raise CsvFileError(
            "The file has no learners in it. Add one row for each learner under the header row"
        )
    if rows > MAX_LEARNERS:
        raise CsvFileError(
            f"The file has {rows:,} rows. Import up to {MAX_LEARNERS:,} learners at a time: "
            "split the file"
        )
    return records


@dataclass
class _Lookups:
    levels: dict[str, AccreditationLevel]
    councils: dict[str, Council]
    cohorts: dict[str, Cohort]
    learners: dict[str, Learner]
    open_enrolments: dict[int, list[Enrolment]]


def _lookups(records: list[_Record]) -> _Lookups:
    def column(name, normalise):
        return {normalise(r.values[name]) for r in records if r.values[name]}

    councils = Council.objects.alias(code_ci=Upper("code")).filter(
        code_ci__in=column("council_code", str.upper)
    )
    cohorts = (
        Cohort.objects.select_related("level")
        .alias(code_ci=Upper("code"))
        .filter(code_ci__in=column("cohort_code", str.upper))
    )
    learners = (
        Learner.objects.select_related("council", "target_level")
        .alias(email_ci=Lower("email"))
        .filter(email_ci__in=column("email", str.lower))
    )
    lookups = _Lookups(
        levels={level.slug: level for level in AccreditationLevel.objects.all()},
        councils={council.code.upper(): council for council in councils},
        cohorts={cohort.code.upper(): cohort for cohort in cohorts},
        learners={learner.email.lower(): learner for learner in learners},
        open_enrolments=defaultdict(list),
    )
    for enrolment in Enrolment.objects.filter(
        learner__in=[learner.pk for learner in lookups.learners.values()],
        status__in=Enrolment.OPEN_STATUSES,
    ).select_related("cohort"):
        lookups.open_enrolments[enrolment.learner_id].append(enrolment)
    return lookups


def _check(data: bytes, records: list[_Record]) -> ImportPreview:
    lookups = _lookups(records)
    preview = ImportPreview(data=data)
    first_line_of = {}
    for record in records:
        email = record.values["email"].lower()
        reasons = _problems(record, lookups)
        if email in first_line_of:
            reasons.append(
                f"{email} is also on line {first_line_of[email]}. Give each learner one row"
            )
        elif email:
            first_line_of[email] = record.line
        if reasons:
            preview.problems += [RowProblem(record.line, reason) for reason in reasons]
            continue
        row = _learner_row(record, lookups)
        if row.learner is None:
            preview.to_add.append(row)
        elif row.updates or row.enrol:
            preview.to_update.append(row)
        else:
            preview.unchanged.append(row)
    return preview


def _level_choices(levels: dict[str, AccreditationLevel]) -> str:
    *rest, last = levels
    return f"{', '.join(rest)} or {last}" if rest else last


def _problems(record: _Record, lookups: _Lookups) -> list[str]:
    """Every reason the row cannot be imported, but for an email used on an earlier line."""
    values = record.values
    if record.width > record.header_width:
        return [
            f"This row has {record.width} cells but the header row has {record.header_width}. "
            "Put any value that has a comma in it inside double quotes"
        ]
    levels = _level_choices(lookups.levels)
    reasons = [
        f"{name} has a hidden control character in it (U+{ord(hidden):04X}). "
        "Delete it and save the file again"
        for name, value in values.items()
        if (hidden := control_character(value))
    ]
    reasons += [
        f"{name} is empty. {_MISSING[name].format(levels=levels)}"
        for name in REQUIRED
        if not values[name]
    ]
    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            reasons.append(f"{name} is longer than {limit} characters")
    code, cohort_code = values["council_code"], values["cohort_code"]
    if code and code.upper() not in lookups.councils:
        reasons.append(f"Council code ‘{code}’ is not a council on the programme")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            reasons.append(
                f"‘{values['email']}’ is not a valid email address. "
                "Write it like name@council.gov.uk"
            )
    level = lookups.levels.get(values["target_level"].lower())
    if values["target_level"] and level is None:
        reasons.append(f"Target level ‘{values['target_level']}’ is not a level. Enter {levels}")
    cohort = lookups.cohorts.get(cohort_code.upper())
    if cohort_code and cohort is None:
        reasons.append(
            f"Cohort code ‘{cohort_code}’ is not a cohort. "
            "Leave cohort_code empty if the learner has no cohort yet"
        )
    if cohort and level and cohort.level_id != level.pk:
        reasons.append(
            f"Cohort {cohort.code} is a {cohort.level.name} cohort but the target level is "
            f"{level.slug}. Choose a {level.name} cohort or change the target level"
        )
    learner = lookups.learners.get(values["email"].lower())
    if cohort and learner:
        for place in lookups.open_enrolments[learner.pk]:
            if place.level_id == cohort.level_id and place.cohort_id != cohort.pk:
                reasons.append(
                    f"{learner.full_name} already has a place in cohort {place.cohort.code} at "
                    f"this level. Leave cohort_code empty, or take them out of "
                    f"{place.cohort.code} first"
                )
    return reasons


def _learner_row(record: _Record, lookups: _Lookups) -> LearnerRow:
    """A good row, with what it changes for a known learner and whether it enrols them."""
    values = record.values
    email = values["email"].lower()
    row = LearnerRow(
        line=record.line,
        council=lookups.councils[values["council_code"].upper()],
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=email,
        job_title=values["job_title"],
        target_level=lookups.levels[values["target_level"].lower()],
        cohort=lookups.cohorts.get(values["cohort_code"].upper()),
        learner=lookups.learners.get(email),
    )
    if row.learner is not None:
        wanted = {
            "council": row.council,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "target_level": row.target_level,
        }
        # An empty job title keeps the one on record: the column is optional.
        if row.job_title:
            wanted["job_title"] = row.job_title
        row.updates = {
            name: value for name, value in wanted.items() if getattr(row.learner, name) != value
        }
    places = lookups.open_enrolments[row.learner.pk] if row.learner else []
    row.enrol = row.cohort is not None and all(e.cohort_id != row.cohort.pk for e in places)
    return row
