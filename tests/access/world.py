"""The access tests' world: two councils, A and B, each with an SRO, a learner with an account,
a learner without one, the learner's enrolment, a booked assessment and one with its result, a
CPD entry, an email, a nomination, a support engagement, an accepted baseline maturity
self-assessment and a draft follow-up; plus staff, a viewer, two cohorts with a session each, a
level's steps, and the two networks: the SRO Network (councils A and B joined, a third council
that declined, a meeting to come, one that has begun, and a file SRO A shared) and, for records
of another network, the Learners Network (councils A and B joined, a meeting and a file).

Every value a page could show of a council's records is distinctive ("Zebra-Quartermaster-B"),
so that finding it in a page by substring means the page shows that record.

conftest.py builds it once per test module (see there).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cmpp.accounts.models import StaffMembership
from cmpp.notifications.models import OutboundEmail
from cmpp.reports.models import ProgressReport
from cohorts.models import Cohort, LevelStep
from councils.models import MaturityArea, MaturityAssessment, MaturityScore, SupportEngagement
from learners.models import AssessmentAttempt, CpdEntry, LearnerImport, Nomination
from networks import resources as network_resources
from networks import services as network_services
from networks.models import Network, NetworkCouncil, NetworkMeeting, NetworkResource
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
    engagement: object  # transformation support for the council
    baseline: object  # its baseline maturity self-assessment, accepted with a note
    draft: object  # its follow-up self-assessment, a draft its SRO is filling in
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
            reverse("councils:support_edit", args=[self.council.pk, self.engagement.pk]),
            reverse("councils:maturity_detail", args=[self.council.pk, self.baseline.pk]),
            reverse("councils:maturity_detail", args=[self.council.pk, self.draft.pk]),
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
    network: Network  # the SRO Network
    sro_place: NetworkCouncil  # council A's place in it: joined
    declined_place: NetworkCouncil  # a third council's: it declined (so it can be invited again)
    meeting: NetworkMeeting  # a meeting of the SRO Network to come, not cancelled
    begun_meeting: NetworkMeeting  # one that began yesterday: its register is open
    resource: NetworkResource  # a file SRO A shared with the SRO Network
    learners_network: Network
    learners_place: NetworkCouncil  # council A's place in the Learners Network: joined
    learners_meeting: NetworkMeeting
    learners_resource: NetworkResource  # a file staff shared with the Learners Network
    learner_import: LearnerImport  # a file staff checked, waiting for them to confirm it
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
        "support": ("Aqx-Lighthouse-Support", "Aqx objectives on barges and budgets"),
        "maturity": (
            "Aqx review note on kestrels",
            "Aqx baseline comment on kilns",
            "Aqx draft comment on kettles",
        ),
    },
    "b": {
        "council": ("Zqvford District Council", "E09000942"),
        "sro": ("Srozqv", "Zqvowner", "sro@zqvford.example.gov.uk"),
        "learner": ("Bexzqv", "Zebrawickzqv", "bexzqv@zqvford.example.gov.uk"),
        "job_grade": ("Zebra-Quartermaster-B", "Grade-Zqv-9"),
        "newcomer": ("Neozqv", "Newcomerzqv", "neozqv@zqvford.example.gov.uk"),
        "cpd": ("Zqv-Zither-Seminar", "Zqv reflection on quills and quarries"),
        "nominee": ("Nomzqv", "Nominatedzqv", "nomzqv@zqvford.example.gov.uk", "Zqv-Apprentice"),
        "support": ("Zqv-Windmill-Support", "Zqv objectives on zeppelins and zinc"),
        "maturity": (
            "Zqv review note on quokkas",
            "Zqv baseline comment on quays",
            "Zqv draft comment on quinces",
        ),
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
    support_title, objectives = spec["support"]
    review_note, baseline_comment, draft_comment = spec["maturity"]
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
        engagement=SupportEngagement.objects.create(
            council=council,
            title=support_title,
            objectives=objectives,
            status=SupportEngagement.Status.ACTIVE,
            starts_on=timezone.localdate() - timedelta(days=30),
        ),
        baseline=_assessment(
            council,
            MaturityAssessment.Kind.BASELINE,
            MaturityAssessment.Status.ACCEPTED,
            comment=baseline_comment,
            review_note=review_note,
            submitted_by=sro,
            submitted_at=timezone.now() - timedelta(days=195),
            reviewed_at=timezone.now() - timedelta(days=190),
        ),
        draft=_assessment(
            council,
            MaturityAssessment.Kind.FOLLOW_UP,
            MaturityAssessment.Status.DRAFT,
            comment=draft_comment,
        ),
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
            support_title,
            objectives,
            review_note,
            baseline_comment,
            draft_comment,
        ),
    )


def _assessment(council, kind, status, *, comment: str, **fields) -> MaturityAssessment:
    """A self-assessment scoring every area 3, its first area with a comment."""
    days_ago = 200 if kind == MaturityAssessment.Kind.BASELINE else 5
    assessment = MaturityAssessment.objects.create(
        council=council,
        kind=kind,
        status=status,
        assessed_on=timezone.localdate() - timedelta(days=days_ago),
        **fields,
    )
    for n, area in enumerate(MaturityArea.objects.order_by("order")):
        MaturityScore.objects.create(
            assessment=assessment, area=area, score=3, comment=comment if n == 0 else ""
        )
    return assessment


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
    a, b = _side("a", cohort), _side("b", cohort)
    staff = factories.StaffMembershipFactory(
        user__email="staff@dluhc.matrix.test", role=StaffMembership.Role.PROGRAMME_STAFF
    ).user
    return World(
        a=a,
        b=b,
        staff=staff,
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
        learner_import=LearnerImport.objects.create(
            created_by=staff,
            file=(
                "council_code,first_name,last_name,email,job_title,target_level,cohort_code\n"
                f"{a.council.code},Waiting,Importee,waiting.importee@aqxbury.example.gov.uk,,"
                "practitioner,\n"
            ).encode(),
            rows=1,
        ),
        level=factories.level("practitioner"),
        step=_steps("practitioner")[1],
        other_step=_steps("foundation")[0],
        **_networks(a, b, staff),
    )


def _networks(a: Side, b: Side, staff) -> dict:
    """The networks' records, made through their services as staff and SROs make them."""
    sros = Network.objects.get(audience=Network.Audience.SROS)
    learners = Network.objects.get(audience=Network.Audience.LEARNERS)
    places, learner_places = {}, {}
    for side in (a, b):  # both join both: their SROs and learners become members
        place = network_services.network_council_invite(
            network=sros, council=side.council, acting_user=staff
        )
        network_services.network_council_join(place=place, acting_user=staff)
        places[side.letter] = place
        learner_place = network_services.network_council_invite(
            network=learners, council=side.council, acting_user=staff
        )
        network_services.network_council_join(place=learner_place, acting_user=staff)
        learner_places[side.letter] = learner_place
    declining = factories.CouncilFactory(name="Matrix Declining Council", code="E09000975")
    declined = network_services.network_council_invite(
        network=sros, council=declining, acting_user=staff
    )
    network_services.network_council_decline(place=declined, acting_user=staff)
    soon = timezone.now() + timedelta(days=14)
    return {
        "network": sros,
        "sro_place": NetworkCouncil.objects.get(pk=places["a"].pk),
        "declined_place": NetworkCouncil.objects.get(pk=declined.pk),
        "meeting": _meeting(sros, "Matrix SRO forum", soon, staff),
        "begun_meeting": _meeting(
            sros, "Matrix SRO briefing", timezone.now() - timedelta(days=1), staff
        ),
        "resource": _shared_file(sros, a.sro, "Checklist"),
        "learners_network": learners,
        "learners_place": NetworkCouncil.objects.get(pk=learner_places["a"].pk),
        "learners_meeting": _meeting(learners, "Matrix learners meetup", soon, staff),
        "learners_resource": _shared_file(learners, staff, "Learners checklist"),
    }


def _meeting(network, title: str, starts_at, staff) -> NetworkMeeting:
    meeting, _emailed = network_services.meeting_create(
        network=network,
        fields={
            "title": title,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "online_url": "https://meet.example.gov.uk/matrix",
        },
        acting_user=staff,
    )
    return meeting


def _shared_file(network, person, title: str) -> NetworkResource:
    return network_resources.resource_share(
        network=network,
        acting_user=person,
        title=title,
        upload=SimpleUploadedFile("c.pdf", b"%PDF-1.4\n%%EOF\n"),
    )


def _steps(level: str) -> list:
    return list(LevelStep.objects.filter(level__slug=level, is_active=True).order_by("order"))
