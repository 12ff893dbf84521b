"""Writes to councils. Every function is atomic and records who acted."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmpp.accounts.models import Organisation
from cmpp.accounts.selectors import programme_staff_of
from cmpp.accounts.services import invitation_send, user_get_or_create, user_needs_invitation
from cmpp.core.records import record_apply, record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from councils.models import (
    Council,
    CouncilRole,
    ManagingBodyPeriod,
    MaturityArea,
    MaturityAssessment,
    MaturityScore,
    SupportEngagement,
)
from councils.selectors import (
    ASSESSMENT_OPEN_STATUSES,
    council_contact_email,
    council_managing_body,
    council_roles,
)


@transaction.atomic
def council_hand_over(
    *, council: Council, to_organisation: Organisation, on: date, acting_user
) -> ManagingBodyPeriod:
    """End the council's current managing-body period on `on` and open the next from that date."""
    current = (
        ManagingBodyPeriod.objects.select_for_update()
        .filter(council=council, ends_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.organisation_id == to_organisation.pk:
            return current
        current.ends_on = on
        record_save(current, acting_user=acting_user, update_fields=["ends_on", "updated_at"])
    return record_save(
        ManagingBodyPeriod(council=council, organisation=to_organisation, starts_on=on),
        acting_user=acting_user,
    )


@transaction.atomic
def council_onboard(
    *,
    name: str,
    code: str,
    council_type: str,
    region: str,
    nation: str = Council.Nation.ENGLAND,
    lga_priority: bool = False,
    managing_body: Organisation,
    funded_places: int,
    onboarded_on: date,
    sro_first_name: str,
    sro_last_name: str,
    sro_email: str,
    acting_user,
) -> Council:
    """Add a council to the programme with its managing body and SRO, and welcome the SRO.

    An SRO with no account is also invited to set a password (a separate email, so the welcome
    can be forwarded without the link).
    """
    council = Council(
        name=name.strip(),
        code=code,
        council_type=council_type,
        region=region,
        nation=nation,
        lga_priority=lga_priority,
        status=Council.Status.ONBOARDED,
        onboarded_on=onboarded_on,
        funded_places=funded_places,
    )
    record_save(council, acting_user=acting_user)
    record_save(
        ManagingBodyPeriod(council=council, organisation=managing_body, starts_on=onboarded_on),
        acting_user=acting_user,
    )
    sro = user_get_or_create(email=sro_email, first_name=sro_first_name, last_name=sro_last_name)
    record_save(
        CouncilRole(council=council, user=sro, role=CouncilRole.Role.SRO), acting_user=acting_user
    )
    sro_welcome(council=council, sro=sro, managing_body=managing_body, acting_user=acting_user)
    return council


@transaction.atomic
def sro_welcome(*, council: Council, sro, managing_body: Organisation, acting_user) -> None:
    """Welcome the council's SRO (once), inviting them first if they cannot yet sign in."""
    invited = user_needs_invitation(sro)
    if invited:
        invitation_send(
            user=sro,
            invited_by=acting_user,
            template="notifications/email/sro_invitation",
            context={"council_name": council.name, "contact_email": managing_body.contact_email},
        )
    email_queue(
        key=f"sro_welcome:{council.pk}:{sro.pk}",
        purpose=OutboundEmail.Purpose.SRO_WELCOME,
        to_email=sro.email,
        template="notifications/email/sro_welcome",
        context={
            "first_name": sro.first_name or "colleague",
            "council_name": council.name,
            "managing_body": managing_body.name,
            "funded_places": council.funded_places,
            "invited": invited,
            "contact_email": managing_body.contact_email,
        },
    )


COUNCIL_EDITABLE_FIELDS = (
    "name",
    "council_type",
    "region",
    "nation",
    "lga_priority",
    "funded_places",
)


@transaction.atomic
def council_update(*, council: Council, acting_user, **changes) -> Council:
    record_apply(council, editable=COUNCIL_EDITABLE_FIELDS, changes=changes)
    return record_save(council, acting_user=acting_user)


@transaction.atomic
def council_withdraw(*, council: Council, reason: str, acting_user) -> Council:
    """The council leaves the programme. Its learners, history and managing body stay on record."""
    council = Council.objects.select_for_update().get(pk=council.pk)
    if council.status == Council.Status.WITHDRAWN:
        raise ValidationError("This council has already withdrawn")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the council is leaving the programme"})
    council.status = Council.Status.WITHDRAWN
    return record_save(
        council, acting_user=acting_user, reason=reason, update_fields=["status", "updated_at"]
    )


# Transformation support ----------------------------------------------------------------------

SUPPORT_EDITABLE_FIELDS = (
    "title",
    "specialist",
    "objectives",
    "status",
    "starts_on",
    "ends_on",
    "notes",
    "outcomes",
)


@transaction.atomic
def support_create(*, council: Council, acting_user, **fields) -> SupportEngagement:
    """Record support given (or planned) for a council."""
    engagement = SupportEngagement(council=council)
    record_apply(engagement, editable=SUPPORT_EDITABLE_FIELDS, changes=fields)
    return record_save(engagement, acting_user=acting_user)


@transaction.atomic
def support_update(*, engagement: SupportEngagement, acting_user, **changes) -> SupportEngagement:
    """Change an engagement: its status, dates, specialist, notes and outcomes as it goes."""
    record_apply(engagement, editable=SUPPORT_EDITABLE_FIELDS, changes=changes)
    return record_save(engagement, acting_user=acting_user)


# Maturity self-assessments -------------------------------------------------------------------


@transaction.atomic
def maturity_start(*, council: Council, acting_user) -> tuple[MaturityAssessment, bool]:
    """Start the council's next self-assessment: its baseline if it has none, else a follow-up.
    A council fills in one at a time, so while one is a draft, submitted or returned, that one
    is returned instead (and False: nothing new was started)."""
    Council.objects.select_for_update().filter(pk=council.pk).first()  # one start at a time
    assessments = council.maturity_assessments.all()
    unfinished = assessments.exclude(status=MaturityAssessment.Status.ACCEPTED)
    current = unfinished.order_by("-assessed_on", "-pk").first()
    if current is not None:
        return current, False
    kinds = MaturityAssessment.Kind
    has_baseline = assessments.filter(kind=kinds.BASELINE).exists()
    assessment = MaturityAssessment(
        council=council,
        kind=kinds.FOLLOW_UP if has_baseline else kinds.BASELINE,
        assessed_on=timezone.localdate(),
    )
    return record_save(assessment, acting_user=acting_user), True


def _locked(assessment: MaturityAssessment) -> MaturityAssessment:
    return (
        MaturityAssessment.objects.select_for_update()
        .select_related("council")
        .get(pk=assessment.pk)
    )


@transaction.atomic
def maturity_save(
    *,
    assessment: MaturityAssessment,
    answers: dict[int, tuple[int | None, str]],
    submit: bool,
    acting_user,
) -> MaturityAssessment:
    """Save the SRO's answers, {area id: (score or None, comment)}, as a draft, or submit them
    for review: submitting needs a score for every area, and emails the managing body's
    programme staff. Only a draft or a returned assessment can change."""
    assessment = _locked(assessment)
    if assessment.status not in ASSESSMENT_OPEN_STATUSES:
        raise ValidationError(
            f"This assessment is {assessment.get_status_display().lower()}, so it cannot be changed"
        )
    areas = list(MaturityArea.objects.order_by("order"))
    for area in areas:
        score, comment = answers.get(area.pk, (None, ""))
        comment = (comment or "").strip()
        if score is None and comment:
            raise ValidationError(f"Select a score for {area.name} to keep your comment")
    if submit:
        missing = [area.name for area in areas if answers.get(area.pk, (None, ""))[0] is None]
        if missing:
            raise ValidationError(f"Select a score for {', '.join(missing)} before you submit")
    existing = {score.area_id: score for score in assessment.scores.all()}
    for area in areas:
        score, comment = answers.get(area.pk, (None, ""))
        row = existing.get(area.pk)
        if score is None:
            if row is not None:
                row.delete()
            continue
        row = row or MaturityScore(assessment=assessment, area=area)
        row.score, row.comment = score, (comment or "").strip()
        row.full_clean()
        row.save()
    if submit:
        assessment.status = MaturityAssessment.Status.SUBMITTED
        assessment.submitted_by = acting_user
        assessment.submitted_at = timezone.now()
        assessment.assessed_on = timezone.localdate()
        reason = "Submitted for review"
    else:
        reason = "Saved as a draft"
    record_save(assessment, acting_user=acting_user, reason=reason)
    if submit:
        _email_maturity_submitted(assessment)
    return assessment


def _email_maturity_submitted(assessment: MaturityAssessment) -> None:
    """One email to each of the managing body's programme staff, per submission."""
    council = assessment.council
    body = council_managing_body(council)
    if body is None:
        return
    stamp = f"{assessment.submitted_at:%Y%m%d%H%M%S%f}"
    for membership in programme_staff_of([body]):
        person = membership.user
        email_queue(
            key=f"maturity_submitted:{assessment.pk}:{stamp}:{person.pk}",
            purpose=OutboundEmail.Purpose.MATURITY_SUBMITTED,
            to_email=person.email,
            template="notifications/email/maturity_submitted",
            context={
                "first_name": person.first_name or "colleague",
                "council_name": council.name,
                "kind": assessment.get_kind_display().lower(),
                "submitted_by": assessment.submitted_by.get_full_name()
                if assessment.submitted_by
                else "its SRO",
                "path": reverse("councils:maturity_detail", args=[council.pk, assessment.pk]),
            },
        )


@transaction.atomic
def maturity_review(
    *, assessment: MaturityAssessment, accept: bool, note: str = "", acting_user
) -> MaturityAssessment:
    """Staff accept a submitted assessment (it then counts towards improvement) or return it to
    the SRO with a note saying why; the council's SROs are emailed either way."""
    assessment = _locked(assessment)
    if assessment.status != MaturityAssessment.Status.SUBMITTED:
        raise ValidationError(
            f"This assessment is {assessment.get_status_display().lower()}, so it cannot be "
            "reviewed"
        )
    note = note.strip()
    if not accept and not note:
        raise ValidationError({"note": "Enter why you are returning the assessment"})
    assessment.status = (
        MaturityAssessment.Status.ACCEPTED if accept else MaturityAssessment.Status.RETURNED
    )
    assessment.reviewed_by = acting_user
    assessment.reviewed_at = timezone.now()
    assessment.review_note = note
    record_save(assessment, acting_user=acting_user, reason="Accepted" if accept else "Returned")
    _email_maturity_reviewed(assessment)
    return assessment


def _email_maturity_reviewed(assessment: MaturityAssessment) -> None:
    """One email to each of the council's SROs (and deputies), per review."""
    council = assessment.council
    stamp = f"{assessment.reviewed_at:%Y%m%d%H%M%S%f}"
    people = {role.user for role in council_roles(council=council) if role.user.is_active}
    for person in sorted(people, key=lambda user: user.email):
        email_queue(
            key=f"maturity_reviewed:{assessment.pk}:{stamp}:{person.pk}",
            purpose=OutboundEmail.Purpose.MATURITY_REVIEWED,
            to_email=person.email,
            template="notifications/email/maturity_reviewed",
            context={
                "first_name": person.first_name or "colleague",
                "council_name": council.name,
                "kind": assessment.get_kind_display().lower(),
                "accepted": assessment.status == MaturityAssessment.Status.ACCEPTED,
                "note": assessment.review_note,
                "path": reverse("councils:maturity_detail", args=[council.pk, assessment.pk]),
                "contact_email": council_contact_email(council),
            },
        )
