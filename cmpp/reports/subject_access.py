"""A subject access request: everything the portal holds about one learner, as a ZIP of CSV
files (one per kind of record) and a PDF summary drawn by WeasyPrint, like the progress reports.
It sits here, above the networks and the outbox, because it reads every app that holds a
learner's data."""

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from cmpp.accounts.models import Invitation
from cmpp.core.csv import csv_stream
from cmpp.notifications.models import OutboundEmail
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    Nomination,
    SessionAttendance,
    StepProgress,
)
from networks.models import MeetingAttendance, NetworkMembership


@dataclass(frozen=True)
class Table:
    """One CSV file of the ZIP: its name, what it holds in words, its header and rows."""

    filename: str
    title: str
    header: list[str]
    rows: list[list]


def _who(user) -> str:
    return user.get_full_name() if user else ""


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _addresses(learner: Learner) -> set[str]:
    """The addresses the portal has written to them at: the record's and their account's."""
    found = {learner.email.lower()}
    if learner.user_id:
        found.add(learner.user.email.lower())
    return found


def _learner_table(learner: Learner) -> Table:
    """The record and the account, a field a row (one record reads better down than across)."""
    rows = [
        ["Learner record", "Reference", learner.pk],
        ["Learner record", "First name", learner.first_name],
        ["Learner record", "Last name", learner.last_name],
        ["Learner record", "Email", learner.email],
        ["Learner record", "Job title", learner.job_title],
        ["Learner record", "Grade", learner.grade],
        ["Learner record", "Council", learner.council.name],
        ["Learner record", "Target level", learner.target_level.name],
        ["Learner record", "Status", learner.get_status_display()],
        ["Learner record", "Steps done", learner.steps_done],
        ["Learner record", "Last progress", learner.last_progress_on],
        ["Learner record", "Added", _when(learner.created_at)],
        ["Learner record", "Last changed", _when(learner.updated_at)],
    ]
    user = learner.user
    if user is None:
        rows.append(["Portal account", "Account", "None linked"])
    else:
        rows += [
            ["Portal account", "Email", user.email],
            ["Portal account", "First name", user.first_name],
            ["Portal account", "Last name", user.last_name],
            ["Portal account", "Can sign in", "Yes" if user.is_active else "No"],
            ["Portal account", "Created", _when(user.date_joined)],
            ["Portal account", "Last signed in", _when(user.last_login) or "Never"],
            [
                "Portal account",
                "Authenticator app set up",
                "Yes" if user.authenticator_set.exists() else "No",
            ],
        ]
    for invitation in Invitation.objects.filter(
        Q(user=learner.user_id) | Q(pk=learner.invitation_id)
    ).order_by("created_at"):
        state = (
            f"accepted {_when(invitation.accepted_at)}"
            if invitation.accepted_at
            else "revoked"
            if invitation.revoked_at
            else f"expires {_when(invitation.expires_at)}"
        )
        rows.append(["Invitation", _when(invitation.created_at), state])
    return Table(
        "learner.csv", "The learner record and portal account", ["Record", "Field", "Value"], rows
    )


def tables(learner: Learner) -> list[Table]:
    """Every kind of record held about the learner, each as a table."""
    enrolments = Enrolment.objects.filter(learner=learner).select_related("cohort", "level")
    steps = StepProgress.objects.filter(learner=learner).select_related("step", "step__level")
    assessments = AssessmentAttempt.objects.filter(learner=learner).select_related("level")
    accreditations = Accreditation.objects.filter(learner=learner).select_related("level")
    sessions = SessionAttendance.objects.filter(learner=learner).select_related("session__cohort")
    memberships = NetworkMembership.objects.filter(user=learner.user_id).select_related(
        "network", "council"
    )
    meetings = MeetingAttendance.objects.filter(membership__user=learner.user_id).select_related(
        "meeting__network"
    )
    nominations = Nomination.objects.filter(
        Q(learner=learner) | Q(email__in=_addresses(learner))
    ).select_related("council", "target_level", "nominated_by")
    emails = OutboundEmail.objects.filter(to_email__in=_addresses(learner)).order_by("created_at")
    return [
        _learner_table(learner),
        Table(
            "places.csv",
            "Places in cohorts",
            ["Cohort code", "Cohort", "Level", "Status", "Enrolled on", "Ended on", "Reason"],
            [
                [
                    e.cohort.code,
                    e.cohort.name,
                    e.level.name,
                    e.get_status_display(),
                    e.enrolled_on,
                    e.ended_on,
                    e.reason,
                ]
                for e in enrolments.order_by("enrolled_on", "pk")
            ],
        ),
        Table(
            "steps.csv",
            "Steps towards an accreditation",
            ["Level", "Step", "Status", "Completed on", "Recorded from"],
            [
                [
                    p.step.level.name,
                    p.step.name,
                    p.get_status_display(),
                    p.completed_on,
                    p.get_source_display(),
                ]
                for p in steps.order_by("step__level__order", "step__order")
            ],
        ),
        Table(
            "assessments.csv",
            "Assessments",
            ["Level", "Booked for", "Result", "Result on", "Recorded from"],
            [
                [
                    a.level.name,
                    a.booked_for,
                    a.get_result_display(),
                    a.result_on,
                    a.get_source_display(),
                ]
                for a in assessments.order_by("booked_for", "pk")
            ],
        ),
        Table(
            "accreditations.csv",
            "Accreditations",
            ["Level", "Achieved on", "Renewal due", "Recorded from"],
            [
                [a.level.name, a.achieved_on, a.renewal_due, a.get_source_display()]
                for a in accreditations.order_by("achieved_on", "pk")
            ],
        ),
        Table(
            "cpd.csv",
            "Continuing professional development",
            ["Done on", "Hours", "Activity", "Reflection"],
            [
                [c.done_on, c.hours, c.activity, c.reflection]
                for c in CpdEntry.objects.filter(learner=learner).order_by("done_on", "pk")
            ],
        ),
        Table(
            "cohort_sessions.csv",
            "Attendance at cohort sessions",
            ["Cohort", "Session", "Starts", "Attendance"],
            [
                [
                    s.session.cohort.name,
                    s.session.title,
                    _when(s.session.starts_at),
                    s.get_status_display(),
                ]
                for s in sessions.order_by("session__starts_at")
            ],
        ),
        Table(
            "network_attendance.csv",
            "Network membership and attendance at network meetings",
            ["Network", "Record", "Date", "Detail"],
            [
                [
                    m.network.name,
                    "Member",
                    m.joined_on,
                    f"through {m.council.name}" + (f", left {m.left_on}" if m.left_on else ""),
                ]
                for m in memberships.order_by("joined_on")
            ]
            + [
                [
                    a.meeting.network.name,
                    "Meeting",
                    _when(a.meeting.starts_at),
                    f"{a.meeting.title}: {a.get_status_display()}",
                ]
                for a in meetings.order_by("meeting__starts_at")
            ],
        ),
        Table(
            "nominations.csv",
            "Nominations that put them forward",
            [
                "Made",
                "Council",
                "Nominated by",
                "First name",
                "Last name",
                "Email",
                "Job title",
                "Target level",
                "Decision",
            ],
            [
                [
                    _when(n.created_at),
                    n.council.name,
                    _who(n.nominated_by),
                    n.first_name,
                    n.last_name,
                    n.email,
                    n.job_title,
                    n.target_level.name,
                    n.get_status_display(),
                ]
                for n in nominations.order_by("created_at")
            ],
        ),
        Table(
            "emails.csv",
            "Emails the portal wrote to them",
            ["Written", "Sent", "To", "Purpose", "Subject", "Status", "Text"],
            [
                [
                    _when(e.created_at),
                    _when(e.sent_at),
                    e.to_email,
                    e.get_purpose_display(),
                    e.subject,
                    e.get_status_display(),
                    e.body_text,
                ]
                for e in emails
            ],
        ),
        _history_table(learner),
    ]


def _history_table(learner: Learner) -> Table:
    """Every recorded change to their record, with what it held then, and to their other
    records (who changed them, when and why), oldest first."""
    labels = dict(Learner.Status.choices)
    found = [
        (
            h.history_date,
            "Learner record",
            h,
            f"{h.first_name} {h.last_name}, {h.email}, {h.job_title or 'no job title'}, "
            f"{h.grade or 'no grade'}, {labels.get(h.status, h.status)}",
        )
        for h in Learner.history.filter(id=learner.pk).select_related("history_user")
    ]
    for model, label in (
        (Enrolment, "Place in a cohort"),
        (StepProgress, "Step"),
        (AssessmentAttempt, "Assessment"),
        (Accreditation, "Accreditation"),
        (CpdEntry, "CPD entry"),
        (SessionAttendance, "Session attendance"),
    ):
        found += [
            (h.history_date, label, h, str(h.instance))
            for h in model.history.filter(learner_id=learner.pk).select_related("history_user")
        ]
    found.sort(key=lambda row: (row[0], row[2].history_id))
    return Table(
        "change_history.csv",
        "Changes recorded to their records",
        ["When", "Record", "Change", "By", "Reason", "What it held"],
        [
            [
                _when(when),
                label,
                h.get_history_type_display(),
                _who(h.history_user),
                h.history_change_reason or "",
                held,
            ]
            for when, label, h, held in found
        ],
    )


def _csv(table: Table) -> bytes:
    return "".join(csv_stream(header=table.header, rows=table.rows)).encode("utf-8")


def summary_pdf(*, learner: Learner, found: list[Table], author: str) -> bytes:
    """The PDF summary: who the request is about, what the ZIP holds, a line per file."""
    from weasyprint import HTML  # imported here: loading Pango is slow

    html = render_to_string(
        "reports/print/subject_access.html",
        {
            "title": f"Subject access request: {learner.full_name}",
            "learner": learner,
            "details": found[0].rows,
            "tables": found[1:],
            "as_at": timezone.localdate(),
            "author": author,
            "generated_at": timezone.localtime(),
            "anonymise_after_years": settings.CMPP_ANONYMISE_AFTER_YEARS,
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def download_name(learner: Learner, on: date | None = None) -> str:
    return f"subject-access-learner-{learner.pk}-{(on or timezone.localdate()):%Y-%m-%d}.zip"


def subject_access_zip(*, learner: Learner, author: str) -> bytes:
    """The ZIP: a CSV file per kind of record and `summary.pdf`."""
    found = tables(learner)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", summary_pdf(learner=learner, found=found, author=author))
        for table in found:
            archive.writestr(table.filename, _csv(table))
    return buffer.getvalue()
