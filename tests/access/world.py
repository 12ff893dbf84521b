"""The access tests' world: two councils, A and B, each with an SRO, a learner with an account,
a learner without one, the learner's enrolment, a booked assessment and one with its result, a
CPD entry, an email and a nomination; plus staff, a viewer, two cohorts with a session each, a
level's steps and the SRO Network.

Every value a page could show of a council's records is distinctive ("Zebra-Quartermaster-B"),
so that finding it in a page by substring means the page shows that record.

conftest.py builds it once per test module (see there).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cmpp.accounts.models import StaffMembership
from cmpp.notifications.models import OutboundEmail
from cmpp.reports.models import ProgressReport
from cohorts.models import Cohort, LevelStep
from learners.models import AssessmentAttempt, CpdEntry, Nomination
from networks.models import Network
from tests import factories

ROLES = ("anonymous", "learner_a", "learner_b", "sro_a", "sro_b", "viewer", "staff")


@dataclass
class Side:
    """One council's records, and everything of them a page could show."""

    letter: str
    council: object
    sro: object
    learner: object
    newcomer: object  # a learner of the council with no account and no cohort yet
    enrolment: object
    attempt: object  # booked, no result yet
    result: object  # an assessment with its result (a fail)
    cpd: object
    email: object
    nomination: object
    report: object  # the council's progress report, built
    texts: tuple[str, ...] = field(default=())

    @property
    def paths(self) -> tuple[str, ...]:
        """Links to this side's records; a page that links to them has shown them."""
        return (
            reverse("councils:detail", args=[self.council.pk]),
            reverse("learners:detail", args=[self.learner.pk]),
            reverse("learners:detail", args=[self.newcomer.pk]),
            reverse("learners:nomination_detail", args=[self.nomination.pk]),
            reverse("cpd_edit", args=[self.cpd.pk]),
            reverse("cpd_delete", args=[self.cpd.pk]),
            reverse("email_detail", args=[self.email.pk]),
            reverse("reports:download", args=[self.report.pk]),
            reverse("reports:data", args=[self.report.pk]),
        )


@dataclass
class World:
    a: Side
    b: Side
    staff: object
    viewer: object
    cohort: Cohort  # where both learners are enrolled
    cohort_session: object  # a session of that cohort
    other_cohort: Cohort  # same level, nobody in it: where a learner can move to
    other_session: object
    network: Network
    level: object  # Practitioner, the cohorts' level
    step: object  # its second step
    other_step: object  # a step of another level (Foundation)
    session_keys: dict[str, str] = field(default_factory=dict)  # role -> a signed-in session

    def user(self, role: str):
        return {
            "anonymous": None,
            "learner_a": self.a.learner.user,
            "learner_b": self.b.learner.user,
            "sro_a": self.a.sro,
            "sro_b": self.b.sro,
            "viewer": self.viewer,
            "staff": self.staff,
        }[role]


# What each side's records are called. Names no page shows by chance.
SIDES = {
    "a": {
        "council": ("Aqxbury Borough Council", "E09000931"),
        "sro": ("Sroaqx", "Aqxowner", "sro@aqxbury.example.gov.uk"),
        "learner": ("Alvaqx", "Quarrendonqx", "alvaqx@aqxbury.example.gov.uk"),
        "job_grade": ("Yak-Harbourmaster-A", "Grade-Aqx-7"),
        "newcomer": ("Neoaqx", "Newcomeraqx", "neoaqx@aqxbury.example.gov.uk"),
        "cpd": ("Aqx-Abacus-Workshop", "Aqx reflection on lanterns and ledgers"),
        "nominee": ("Nomaqx", "Nominatedaqx", "nomaqx@aqxbury.example.gov.uk", "Aqx-Apprentice"),
    },
    "b": {
        "council": ("Zqvford District Council", "E09000942"),
        "sro": ("Srozqv", "Zqvowner", "sro@zqvford.example.gov.uk"),
        "learner": ("Bexzqv", "Zebrawickzqv", "bexzqv@zqvford.example.gov.uk"),
        "job_grade": ("Zebra-Quartermaster-B", "Grade-Zqv-9"),
        "newcomer": ("Neozqv", "Newcomerzqv", "neozqv@zqvford.example.gov.uk"),
        "cpd": ("Zqv-Zither-Seminar", "Zqv reflection on quills and quarries"),
        "nominee": ("Nomzqv", "Nominatedzqv", "nomzqv@zqvford.example.gov.uk", "Zqv-Apprentice"),
    },
}


def _side(letter: str, cohort: Cohort) -> Side:
    spec = SIDES[letter]
    council_name, council_code = spec["council"]
    council = factories.CouncilFactory(name=council_name, code=council_code)
    sro_first, sro_last, sro_email = spec["sro"]
    sro = factories.CouncilRoleFactory(
        council=council,
        user__email=sro_email,
        user__first_name=sro_first,
        user__last_name=sro_last,
    ).user
    first, last, email = spec["learner"]
    job_title, grade = spec["job_grade"]
    learner = factories.LearnerFactory(
        council=council,
        first_name=first,
        last_name=last,
        email=email,
        job_title=job_title,
        grade=grade,
        user=factories.UserFactory(email=email, first_name=first, last_name=last),
    )
    new_first, new_last, new_email = spec["newcomer"]
    newcomer = factories.LearnerFactory(
        council=council, first_name=new_first, last_name=new_last, email=new_email
    )
    activity, reflection = spec["cpd"]
    cpd = CpdEntry.objects.create(
        learner=learner,
        done_on=timezone.localdate() - timedelta(days=20),
        hours=3,
        activity=activity,
        reflection=reflection,
    )
    nominee_first, nominee_last, nominee_email, nominee_job = spec["nominee"]
    nomination = Nomination.objects.create(
        council=council,
        nominated_by=sro,
        first_name=nominee_first,
        last_name=nominee_last,
        email=nominee_email,
        job_title=nominee_job,
        target_level=factories.level("practitioner"),
    )
    return Side(
        letter=letter,
        council=council,
        sro=sro,
        learner=learner,
        newcomer=newcomer,
        enrolment=factories.EnrolmentFactory(learner=learner, cohort=cohort),
        attempt=factories.AssessmentAttemptFactory(
            learner=learner, booked_for=timezone.localdate() - timedelta(days=7)
        ),
        result=factories.AssessmentAttemptFactory(
            learner=learner,
            booked_for=timezone.localdate() - timedelta(days=200),
            result=AssessmentAttempt.Result.FAIL,
            result_on=timezone.localdate() - timedelta(days=190),
        ),
        cpd=cpd,
        email=OutboundEmail.objects.create(
            key=f"access-matrix:{email}",
            purpose=OutboundEmail.Purpose.INVITATION,
            to_email=email,
            subject="Your invitation",
            body_text="Hello",
            status=OutboundEmail.Status.FAILED,
            attempts=3,
        ),
        nomination=nomination,
        report=_built_report(council),
        texts=(
            council_name,
            council_code,
            sro_first,
            sro_last,
            sro_email,
            first,
            last,
            email,
            job_title,
            grade,
            new_first,
            new_last,
            new_email,
            activity,
            reflection,
            nominee_first,
            nominee_last,
            nominee_email,
            nominee_job,
        ),
    )


def _built_report(council):
    report = ProgressReport(
        kind=ProgressReport.Kind.COUNCIL,
        council=council,
        as_at=timezone.localdate(),
        status=ProgressReport.Status.READY,
        pages=1,
    )
    report.file.save(report.download_name, ContentFile(b"%PDF-1.7 matrix"), save=False)
    report.data.save(report.data_name, ContentFile(b"Learners\r\n"), save=False)
    report.save()
    return report


def build_world() -> World:
    # Running now, so that sessions can be added to them; each has a session that has begun, so
    # that its register is open.
    today = timezone.localdate()
    dates = {"starts_on": today - timedelta(days=60), "ends_on": today + timedelta(days=120)}
    cohort = factories.CohortFactory(code="MTX-001", name="Matrix practitioner cohort", **dates)
    other_cohort = factories.CohortFactory(
        code="MTX-002", name="Other practitioner cohort", **dates
    )
    yesterday = timezone.now() - timedelta(days=1)
    return World(
        a=_side("a", cohort),
        b=_side("b", cohort),
        staff=factories.StaffMembershipFactory(
            user__email="staff@dluhc.matrix.test", role=StaffMembership.Role.PROGRAMME_STAFF
        ).user,
        viewer=factories.StaffMembershipFactory(
            user__email="viewer@ccs.matrix.test",
            organisation=factories.organisation("ccs"),
            role=StaffMembership.Role.PROGRAMME_VIEWER,
        ).user,
        cohort=cohort,
        cohort_session=factories.CohortSessionFactory(
            cohort=cohort, title="Matrix workshop", starts_at=yesterday
        ),
        other_cohort=other_cohort,
        other_session=factories.CohortSessionFactory(
            cohort=other_cohort, title="Other workshop", starts_at=yesterday
        ),
        network=Network.objects.get(audience=Network.Audience.SROS),
        level=factories.level("practitioner"),
        step=_steps("practitioner")[1],
        other_step=_steps("foundation")[0],
    )


def _steps(level: str) -> list:
    return list(LevelStep.objects.filter(level__slug=level, is_active=True).order_by("order"))
