"""The demo programme: journeys planned from `cmpp.demo.data` with a seeded random generator, and
the `DemoProgramme` that writes them. Every draw happens whatever the database already holds, so a
second run makes the same choices, finds the rows it made, and adds nothing.

How each write is made
----------------------
Through the services, as staff would make them (each records who acted and queues the emails its
change causes, sent once the seed commits):

- councils: `council_onboard` (the council, its first managing body, its SRO's account and role,
  the SRO's welcome and, for an SRO with no password, their invitation), `council_withdraw` and
  `council_hand_over`;
- cohorts and their sessions: `cohort_create`, `cohort_start`, `cohort_mark_completed` and
  `session_create`;
- places in the cohort that has not started: `enrolment_create`, in the order people joined, so
  the service decides who has a place and who waits;
- nominations: `nomination_create`.

Written directly, in bulk where there are many: learners and everything that happened to them
before the demo's today (enrolments in cohorts that started, step progress, session attendance,
assessments, accreditations, CPD), the accounts of learners who accepted their invitation long
ago, networks' councils (joined, invited, declined), memberships, meetings (one cancelled) and
attendance, shared links and documents (made by `cmpp.demo.files` and stored once under a fixed
name), support engagements, and maturity assessments with their review (accepted, and one
each returned, waiting and in draft). Through the services these would be several times slower,
would end enrolments on the real today rather than years ago (the services date that themselves),
and would email every learner an invitation, a place and an award. Some have no service at all:
an applied council, a council becoming active, a staff membership, a demo login's password,
networks, support and maturity. A learner's record is dated the day they joined, and their
history has the status they joined with, then (dated the award, the withdrawal or the deferral)
the status they have now, so a progress report as at a past day counts them as they were.

What the portal derives, the bulk rows take from its own rules rather than working it out again:
an accreditation's renewal date is `AccreditationLevel.renewal_due`, the rule
`accreditation_record` uses. Three rules live only inside the services, so the seed keeps them
the services' way (tests/demo check each against the seeded rows):

- a learner's `last_progress_on` is the latest day they completed a step (`_complete_steps`;
  the seed's steps are stored with `learner_refresh_progress`, which also counts `steps_done`);
- a learner whose accreditation is at their target level is accredited (`accreditation_record`);
- a workshop step completed from a session's register has a present mark at that session, with
  the register as its source (`attendance_record`).
"""

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cmpp.accounts.models import Organisation, StaffMembership, User
from cmpp.accounts.services import user_get_or_create
from cmpp.demo.data import (
    ATTENDANCE,
    ATTENDANCE_WEIGHTS,
    CANCELLED_MEETINGS,
    CLOSED_EARLY_OUTCOME,
    COHORTS,
    CPD_ACTIVITIES,
    CPD_HOURS,
    DEFERRAL_REASONS,
    DEMO_LEARNER,
    DEMO_LEARNER_COHORT,
    DEMO_LEARNER_ENROLLED_ON,
    DEMO_LEARNER_JOINED_NETWORK,
    DEMO_LEARNER_PROGRESS,
    DEMO_NOMINEE,
    DEMO_PASSWORD,
    DEMO_SRO_NAMES,
    DEMO_STAFF,
    DEMO_TODAY,
    EXTRA_NOMINATIONS,
    FIRST_NAMES,
    FUNDED_PLACES,
    GRADES,
    HAND_OVERS,
    IMPROVEMENT_WEIGHTS,
    IMPROVEMENTS,
    IN_PERSON_MINUTES,
    INTAKES,
    JOB_TITLES,
    LAST_NAMES,
    LEARNER_ACCOUNTS,
    LEARNERS_NETWORK_FOUNDERS,
    LEARNERS_NETWORK_INVITES,
    LOCAL_PARTNERSHIPS_FROM,
    LONDON,
    LONDON_VENUE,
    MARKING_DAYS,
    MATURITY_COMMENTS,
    MATURITY_DRAFT,
    MATURITY_RETURN_NOTE,
    MATURITY_RETURNED,
    MATURITY_STALLED,
    MATURITY_SUBMITTED,
    MEETING_MINUTES,
    MEETING_PATTERN,
    MEETING_THEMES,
    MEETINGS_UNTIL,
    NETWORK_DECLINED,
    NETWORK_INVITED,
    NETWORKS_LAUNCHED,
    NOMINEE_JOB_TITLE,
    PLANNED_SUPPORT_NOTE,
    READING,
    RESITS_FROM,
    RESOURCES,
    SCORE_WEIGHTS,
    SUPPORT_BEGAN,
    SUPPORT_WORK,
    SUPPORTED_COUNCILS,
    TARGET_LEVEL_WEIGHTS,
    UNPLACED_NOMINEES,
    WARWICKSHIRE,
    WITHDRAWAL_REASONS,
    WITHDRAWN_COUNCILS,
    YESTERDAY,
    CohortSpec,
)
from cmpp.demo.files import stored_file
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep
from cohorts.services import cohort_create, cohort_mark_completed, cohort_start, session_create
from councils.models import (
    Council,
    CouncilRole,
    MaturityArea,
    MaturityAssessment,
    MaturityScore,
    SupportEngagement,
)
from councils.services import council_hand_over, council_onboard, council_withdraw
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    Nomination,
    ResultSource,
    SessionAttendance,
    StepProgress,
)
from learners.services import enrolment_create, learner_refresh_progress, nomination_create
from networks.models import (
    MeetingAttendance,
    Network,
    NetworkCouncil,
    NetworkMeeting,
    NetworkMembership,
    NetworkResource,
)


class CouncilFacts(NamedTuple):
    """What the seed decided about a council, so later choices never depend on edited rows."""

    name: str
    onboarded_on: date | None
    status: str
    funded_places: int


def council_slug(name: str) -> str:
    """The short name in a council's email domain: "Reading Borough Council" -> "reading"."""
    slug = slugify(name)
    for prefix in ("london-borough-of-", "city-of-"):
        slug = slug.removeprefix(prefix)
    for suffix in (
        "-metropolitan-district-council",
        "-metropolitan-borough-council",
        "-borough-council",
        "-county-council",
        "-city-council",
        "-council",
    ):
        if slug.endswith(suffix):
            return slug.removesuffix(suffix)
    return slug


def email_part(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalpha())


# The time of day a dated change in a learner's history is recorded at.
RECORDED_AT = time(9)


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def workshop_day(planned: date) -> date:
    """The Tuesday nearest the planned day, kept clear of the Christmas break."""
    offset = (1 - planned.weekday()) % 7
    day = planned + timedelta(days=offset - 7 if offset > 3 else offset)
    if (day.month == 12 and day.day >= 18) or (day.month == 1 and day.day <= 4):
        year = day.year + 1 if day.month == 12 else day.year
        day = date(year, 1, 5)
        day += timedelta(days=(1 - day.weekday()) % 7)
    return day


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def quarterly_days(nth: int, weekday: int) -> list[date]:
    days = [
        nth_weekday(year, month, nth, weekday)
        for year in range(NETWORKS_LAUNCHED.year, MEETINGS_UNTIL.year + 1)
        for month in (1, 4, 7, 10)
    ]
    return [day for day in days if NETWORKS_LAUNCHED <= day <= MEETINGS_UNTIL]


def cohort_status(starts_on: date, ends_on: date) -> str:
    if starts_on > DEMO_TODAY:
        return Cohort.Status.PLANNED
    if ends_on < DEMO_TODAY:
        return Cohort.Status.COMPLETED
    return Cohort.Status.RUNNING


def council_status(code: str, onboarded_on: date | None) -> str:
    if onboarded_on is None:
        return Council.Status.APPLIED
    if code in WITHDRAWN_COUNCILS:
        return Council.Status.WITHDRAWN
    if onboarded_on > DEMO_TODAY - timedelta(weeks=12):
        return Council.Status.ONBOARDED
    return Council.Status.ACTIVE


Schedule = list[tuple[LevelStep, date]]


def plan_steps(spec: CohortSpec, steps: list[LevelStep]) -> Schedule:
    """When a cohort meets each step: spread evenly over the cohort, workshops on a Tuesday."""
    span = (spec.ends_on - spec.starts_on).days
    schedule = []
    for index, step in enumerate(steps):
        planned = spec.starts_on + timedelta(days=round(span * (index + 0.5) / len(steps)))
        if step.kind == LevelStep.Kind.WORKSHOP:
            planned = workshop_day(planned)
        schedule.append((step, planned))
    return schedule


@dataclass
class Journey:
    """What happened to one learner: status, enrolment, completed steps, assessments, award."""

    status: str
    enrolment_status: str | None = None
    enrolled_on: date | None = None
    nominated_on: date | None = None  # for a nominee not yet placed: the day they joined
    ended_on: date | None = None
    reason: str = ""
    completed: Schedule = field(default_factory=list)
    attempts: list[tuple[date, str, date | None]] = field(default_factory=list)
    accredited_on: date | None = None
    cpd: list[tuple[date, Decimal, str]] = field(default_factory=list)

    @property
    def last_progress_on(self) -> date | None:
        """The latest day a step was completed, as `_complete_steps` keeps it."""
        return max((on for _, on in self.completed), default=None)

    @property
    def joined_on(self) -> date:
        """The day their record was made: the day they enrolled, or were nominated."""
        return self.enrolled_on or self.nominated_on

    @property
    def joined_as(self) -> str:
        """Their status the day they joined: nominated until they hold a place, else active."""
        if self.status == Learner.Status.NOMINATED or self.enrolled_on is None:
            return Learner.Status.NOMINATED
        return Learner.Status.ACTIVE

    @property
    def status_since(self) -> date:
        """The day of the event that gave them their status now."""
        if self.status == Learner.Status.ACCREDITED:
            return self.accredited_on
        if self.status in (Learner.Status.WITHDRAWN, Learner.Status.ON_HOLD):
            return self.ended_on
        return max(filter(None, [self.joined_on, self.ended_on, self.last_progress_on]))


def completion_dates(rng, schedule: Schedule, *, latest: date, jitter=(-7, 7)) -> Schedule:
    """Learners finish self-paced steps near the planned day and workshops on the day."""
    done = []
    for step, planned in schedule:
        on = planned
        if step.kind != LevelStep.Kind.WORKSHOP:
            on += timedelta(days=rng.randint(*jitter))
        done.append((step, min(on, latest)))
    return done


def cpd_log(rng, since: date) -> list[tuple[date, Decimal, str]]:
    if rng.random() >= 0.6:
        return []
    held_for = (YESTERDAY - since).days
    entries = [
        (
            since + timedelta(days=rng.randint(7, max(held_for, 7))),
            rng.choice(CPD_HOURS),
            rng.choice(CPD_ACTIVITIES),
        )
        for _ in range(rng.randint(2, 6))
    ]
    return [entry for entry in entries if entry[0] <= YESTERDAY]


def accredited_journey(
    rng, spec: CohortSpec, schedule: Schedule, enrolled_on: date, *, logs_cpd: bool
) -> Journey:
    done = completion_dates(rng, schedule[:-1], latest=YESTERDAY)
    assessment, planned = schedule[-1]
    booked_for = planned + timedelta(days=rng.randint(0, 14))
    attempts = []
    if rng.random() < 0.1:
        attempts.append(
            (booked_for, AssessmentAttempt.Result.FAIL, booked_for + timedelta(MARKING_DAYS))
        )
        booked_for += timedelta(days=rng.randint(60, 90))
    passed_on = booked_for + timedelta(MARKING_DAYS)
    attempts.append((booked_for, AssessmentAttempt.Result.PASS, passed_on))
    done.append((assessment, passed_on))
    return Journey(
        status=Learner.Status.ACCREDITED,
        enrolment_status=Enrolment.Status.COMPLETED,
        enrolled_on=enrolled_on,
        ended_on=spec.ends_on,
        completed=done,
        attempts=attempts,
        accredited_on=passed_on,
        cpd=cpd_log(rng, passed_on) if logs_cpd else [],
    )


def resit_journey(rng, spec: CohortSpec, schedule: Schedule, enrolled_on: date) -> Journey:
    """Failed the assessment; some have a resit booked, others have stalled."""
    done = completion_dates(rng, schedule[:-1], latest=YESTERDAY)
    booked_for = schedule[-1][1] + timedelta(days=rng.randint(0, 14))
    attempts = [(booked_for, AssessmentAttempt.Result.FAIL, booked_for + timedelta(MARKING_DAYS))]
    if rng.random() < 0.5:
        resit_on = DEMO_TODAY + timedelta(days=rng.randint(14, 75))
        attempts.append((resit_on, AssessmentAttempt.Result.PENDING, None))
    return Journey(
        status=Learner.Status.ACTIVE,
        enrolment_status=Enrolment.Status.COMPLETED,
        enrolled_on=enrolled_on,
        ended_on=spec.ends_on,
        completed=done,
        attempts=attempts,
    )


def paused_journey(
    rng, schedule: Schedule, enrolled_on: date, *, reachable: int, withdrawn: bool
) -> Journey:
    """Withdrew, or went on hold, after `reachable` steps at most."""
    done = completion_dates(rng, schedule[: rng.randint(0, reachable)], latest=YESTERDAY)
    stopped_on = max([enrolled_on, *(on for _, on in done)])
    ended_on = min(stopped_on + timedelta(days=rng.randint(14, 45)), YESTERDAY)
    if withdrawn:
        status, enrolment_status = Learner.Status.WITHDRAWN, Enrolment.Status.WITHDRAWN
        reason = rng.choice(WITHDRAWAL_REASONS)
    else:
        status, enrolment_status = Learner.Status.ON_HOLD, Enrolment.Status.DEFERRED
        reason = rng.choice(DEFERRAL_REASONS)
    return Journey(
        status=status,
        enrolment_status=enrolment_status,
        enrolled_on=enrolled_on,
        ended_on=ended_on,
        reason=reason,
        completed=done,
    )


def journey_in_completed_cohort(
    rng, spec: CohortSpec, schedule: Schedule, *, logs_cpd: bool
) -> Journey:
    enrolled_on = spec.starts_on - timedelta(days=rng.randint(14, 42))
    roll = rng.random()
    if roll < 0.84:
        return accredited_journey(rng, spec, schedule, enrolled_on, logs_cpd=logs_cpd)
    if roll < 0.90 and spec.ends_on >= RESITS_FROM:
        return resit_journey(rng, spec, schedule, enrolled_on)
    reachable = len(schedule) - 2
    return paused_journey(rng, schedule, enrolled_on, reachable=reachable, withdrawn=roll < 0.96)


def journey_in_running_cohort(rng, spec: CohortSpec, schedule: Schedule) -> Journey:
    enrolled_on = spec.starts_on - timedelta(days=rng.randint(14, 42))
    due = sum(1 for _, planned in schedule if planned < DEMO_TODAY)
    roll = rng.random()
    if roll < 0.12:
        return paused_journey(rng, schedule, enrolled_on, reachable=due, withdrawn=roll < 0.06)
    # Some learners stalled months ago: the portal shows them as at risk.
    stalled_on = DEMO_TODAY - timedelta(weeks=rng.randint(9, 20))
    if rng.random() < 0.2 and schedule[0][1] <= stalled_on:
        count = sum(1 for _, planned in schedule if planned <= stalled_on)
        latest = stalled_on
    else:
        count = max(due - rng.choice([0, 0, 0, 1, 1, 2]), min(due, 1))
        latest = YESTERDAY
    done = completion_dates(rng, schedule[:count], latest=latest, jitter=(-3, 10))
    attempts = []
    if count == len(schedule) - 1:
        booked_for = max(schedule[-1][1], DEMO_TODAY + timedelta(days=rng.randint(7, 40)))
        attempts.append((booked_for, AssessmentAttempt.Result.PENDING, None))
    return Journey(
        status=Learner.Status.ACTIVE,
        enrolment_status=Enrolment.Status.ENROLLED,
        enrolled_on=enrolled_on,
        completed=done,
        attempts=attempts,
    )


def journey_in_planned_cohort(rng) -> Journey:
    """Nominated, and offered a place (or a place on the waiting list) on the day they joined:
    `enrolment_create` decides which, so no enrolment status is drawn here."""
    return Journey(
        status=Learner.Status.NOMINATED,
        enrolled_on=DEMO_TODAY - timedelta(days=rng.randint(5, 60)),
    )


def unplaced_journey(weeks_ago: int) -> Journey:
    """Nominated some weeks ago, and not yet placed in a cohort. The day is not drawn, so every
    later draw (and what it decides) is the same as before learners had a dated past."""
    return Journey(
        status=Learner.Status.NOMINATED, nominated_on=DEMO_TODAY - timedelta(weeks=weeks_ago)
    )


def plan_support(rng, earliest: date) -> tuple[str, date, date | None]:
    """Status first, then dates to fit it: mostly finished work, some under way, a few ahead."""
    duration = timedelta(days=rng.randint(120, 300))
    ended_on = DEMO_TODAY - timedelta(days=rng.randint(14, 720))
    roll = rng.random()
    if roll < 0.15:
        return SupportEngagement.Status.PLANNED, DEMO_TODAY + timedelta(rng.randint(14, 75)), None
    if roll < 0.45 or ended_on - duration < earliest:
        starts_on = max(earliest, DEMO_TODAY - timedelta(days=rng.randint(30, 110)))
        return SupportEngagement.Status.ACTIVE, starts_on, None
    if roll < 0.52:
        return SupportEngagement.Status.CLOSED, ended_on - duration / 2, ended_on
    return SupportEngagement.Status.COMPLETED, ended_on - duration, ended_on


def meeting_agenda(theme: str, *, in_person: bool) -> str:
    """A network meeting's agenda, one numbered item a line."""
    items = [
        "Welcome, and actions from the last meeting",
        theme,
        "Updates from members' councils",
        "News from the programme",
        "Any other business",
    ]
    if in_person:
        items.insert(3, "Lunch and conversations between members")
    return "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))


def slipped(scores: list[int]) -> list[int]:
    """Scores a year on that show no improvement: the same, but for one area a point lower."""
    lower = next((index for index, score in enumerate(scores) if score > 1), None)
    return [score - (index == lower) for index, score in enumerate(scores)]


def step_source(step: LevelStep) -> str:
    if step.kind == LevelStep.Kind.WORKSHOP:
        return ResultSource.ATTENDANCE
    if step.kind == LevelStep.Kind.ASSESSMENT:
        return ResultSource.COLLEGE
    return ResultSource.PORTAL


class DemoProgramme:
    """Writes the demo programme (see the module's docstring for how each write is made)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.organisations = {org.slug: org for org in Organisation.objects.all()}
        self.levels = {level.slug: level for level in AccreditationLevel.objects.all()}
        self.staff: dict[str, User] = {}
        self.councils: dict[str, Council] = {}
        self.facts: dict[str, CouncilFacts] = {}
        self.sros: dict[str, User] = {}
        self.cohorts: dict[str, Cohort] = {}
        self.schedules: dict[str, Schedule] = {}
        self.sessions: dict[tuple[int, int], CohortSession] = {}
        self.new_rows: dict[type, list] = {}
        self.places_to_offer: list[tuple[date, int, Learner, Cohort]] = []
        self.known_emails: set[str] = set()
        self.new_learners: list[tuple[Learner, Journey, Cohort | None]] = []
        self.areas: list[MaturityArea] = []
        self.known_assessments: set[tuple[int, str, date]] = set()
        self.known_baselines: set[int] = set()
        self._password_hash = None

    def seed(self):
        self.seed_programme_staff()
        self.seed_councils()
        self.seed_cohorts()
        self.seed_learners()
        self.seed_nominations()
        self.seed_networks()
        self.seed_support_engagements()
        self.seed_maturity_assessments()

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def add_later(self, row):
        """Queue a new row for one bulk insert per model."""
        self.new_rows.setdefault(type(row), []).append(row)

    def save_queued(self):
        for model, rows in self.new_rows.items():
            if hasattr(model, "history"):
                bulk_create_with_history(rows, model, batch_size=500)
            else:
                model.objects.bulk_create(rows, batch_size=500)
        self.new_rows = {}

    def demo_login(self, email: str, first_name: str, last_name: str) -> User:
        """A demo login's account; it always gets the published password back (hashed once
        for all of them, as hashing is slow by design)."""
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
        user.password = self._password_hash
        user.save(update_fields=["password"])
        return user

    # Staff and councils

    def seed_programme_staff(self):
        for email, first_name, last_name, slug, role in DEMO_STAFF:
            user = self.demo_login(email, first_name, last_name)
            StaffMembership.objects.get_or_create(
                user=user, organisation=self.organisations[slug], defaults={"role": role}
            )
            self.staff.setdefault(slug, user)

    def seed_councils(self):
        for onboarded_on, rows in INTAKES.items():
            for name, code, council_type, region, lga_priority in rows:
                drawn_places = self.rng.randint(4, 12)
                facts = CouncilFacts(
                    name=name,
                    onboarded_on=onboarded_on,
                    status=council_status(code, onboarded_on),
                    funded_places=FUNDED_PLACES.get(code, drawn_places),
                )
                self.facts[code] = facts
                sro = self.seed_sro(code)
                council = Council.objects.filter(code=code).first()
                if council is None:
                    details = {
                        "council_type": council_type,
                        "region": region,
                        "lga_priority": lga_priority,
                    }
                    council = self.add_council(code, facts, details, sro)
                self.councils[code] = council
                self.sros[code] = sro
        for code, handed_over_on in HAND_OVERS.items():
            council_hand_over(
                council=self.councils[code],
                to_organisation=self.organisations["local-partnerships"],
                on=handed_over_on,
                acting_user=self.staff["dluhc"],
            )

    def seed_sro(self, code: str) -> User:
        """The SRO's account; the two demo SROs sign in with the published password."""
        first_name, last_name = self.person()
        email = f"sro@{council_slug(self.facts[code].name)}.example.gov.uk"
        if code in DEMO_SRO_NAMES:
            return self.demo_login(email, *DEMO_SRO_NAMES[code])
        # No password: the SRO signs in once they accept the invitation onboarding sends them.
        return user_get_or_create(email=email, first_name=first_name, last_name=last_name)

    def add_council(self, code: str, facts: CouncilFacts, details: dict, sro: User) -> Council:
        if facts.onboarded_on is None:
            # Applied, not yet onboarded: no service adds such a council.
            council = Council(
                name=facts.name,
                code=code,
                **details,
                status=facts.status,
                funded_places=facts.funded_places,
            )
            council.full_clean()
            council.save()
            CouncilRole.objects.create(council=council, user=sro, role=CouncilRole.Role.SRO)
            return council
        body = "dluhc" if facts.onboarded_on < LOCAL_PARTNERSHIPS_FROM else "local-partnerships"
        acting_user = self.staff[body]
        council = council_onboard(
            name=facts.name,
            code=code,
            **details,
            managing_body=self.organisations[body],
            funded_places=facts.funded_places,
            onboarded_on=facts.onboarded_on,
            sro_first_name=sro.first_name,
            sro_last_name=sro.last_name,
            sro_email=sro.email,
            acting_user=acting_user,
        )
        if facts.status == Council.Status.WITHDRAWN:
            council = council_withdraw(
                council=council, reason=WITHDRAWN_COUNCILS[code], acting_user=acting_user
            )
        elif facts.status == Council.Status.ACTIVE:
            # No service makes an onboarded council active: the programme records it.
            council.status = Council.Status.ACTIVE
            council._history_user = acting_user
            council.save(update_fields=["status", "updated_at"])
        return council

    # Cohorts and learners

    def seed_cohorts(self):
        for spec in COHORTS:
            level = self.levels[spec.level]
            steps = list(level.steps.filter(is_active=True).order_by("order"))
            self.schedules[spec.code] = plan_steps(spec, steps)
            cohort = Cohort.objects.filter(code=spec.code).first()
            if cohort is None:
                cohort = self.add_cohort(spec, level)
            self.cohorts[spec.code] = cohort
        self.sessions = {
            (session.cohort_id, session.step_id): session
            for session in CohortSession.objects.filter(
                cohort__in=self.cohorts.values(), step__isnull=False
            )
        }

    def add_cohort(self, spec: CohortSpec, level: AccreditationLevel) -> Cohort:
        """Created, given its sessions, then started and closed as its dates say."""
        acting_user = self.staff.get(spec.delivered_by, self.staff["dluhc"])
        cohort = cohort_create(
            acting_user=acting_user,
            code=spec.code,
            name=f"{level.name} cohort, {spec.starts_on:%B %Y}",
            level=level,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            capacity=spec.capacity,
            delivery_organisation=self.organisations[spec.delivered_by],
        )
        self.seed_sessions(cohort, spec.venue, acting_user)
        status = cohort_status(spec.starts_on, spec.ends_on)
        if status != Cohort.Status.PLANNED:
            cohort = cohort_start(cohort=cohort, acting_user=acting_user)
        if status == Cohort.Status.COMPLETED:
            cohort = cohort_mark_completed(cohort=cohort, acting_user=acting_user)
        return cohort

    def seed_sessions(self, cohort: Cohort, venue: str, acting_user: User):
        """A launch webinar, then each workshop step in the venue, or online."""
        launch_day = cohort.starts_on + timedelta(days=1)
        sessions = [(None, "Cohort launch webinar", launch_day, time(11, 30), "")]
        for step, day in self.schedules[cohort.code]:
            if step.kind == LevelStep.Kind.WORKSHOP:
                sessions.append((step, step.name, day, time(13, 30), venue))
        for step, title, day, ends, where in sessions:
            online_url = ""
            if not where:
                online_url = (
                    f"https://events.example.gov.uk/cmpp/{cohort.code.lower()}/{slugify(title)}"
                )
            session_create(
                cohort=cohort,
                acting_user=acting_user,
                step=step,
                title=title,
                starts_at=london(day, time(10)),
                ends_at=london(day, ends),
                location=where or "Online",
                online_url=online_url,
            )

    def seed_learners(self):
        """Fill each cohort's places from councils onboarded by its start, within their quota."""
        quotas = {
            code: facts.funded_places + EXTRA_NOMINATIONS
            for code, facts in self.facts.items()
            if facts.status in (Council.Status.ACTIVE, Council.Status.ONBOARDED)
        }
        quotas[READING] -= 1  # kept for the demo learner
        self.known_emails = set(Learner.objects.values_list("email", flat=True))
        number = 0
        for spec in COHORTS:
            for _ in range(spec.learners):
                number += 1
                code = self.pick_council(quotas, onboarded_by=spec.starts_on)
                journey = self.journey_in(spec)
                self.seed_learner(number, code, spec.level, journey, self.cohorts[spec.code])
        for index in range(UNPLACED_NOMINEES):
            number += 1
            code = self.pick_council(quotas, onboarded_by=DEMO_TODAY)
            level = self.rng.choices(
                list(TARGET_LEVEL_WEIGHTS), weights=list(TARGET_LEVEL_WEIGHTS.values())
            )[0]
            journey = unplaced_journey(weeks_ago=UNPLACED_NOMINEES - index)
            self.seed_learner(number, code, level, journey, None)
        self.seed_demo_learner()
        self.record_journeys()
        self.offer_places()
        self.link_demo_learner()

    def offer_places(self):
        """Places in cohorts that have not started, offered in the order people joined: the
        service gives a place while there is one, then a place on the waiting list."""
        for enrolled_on, _, learner, cohort in sorted(self.places_to_offer, key=lambda p: p[:2]):
            enrolment_create(
                learner=learner, cohort=cohort, acting_user=self.staff["dluhc"], on=enrolled_on
            )
        self.places_to_offer = []

    def seed_nominations(self):
        """Reading's SRO has two nominations waiting: a new officer, and one whose address is
        already a Warwickshire learner's, which staff see on the nomination's page."""
        reading = self.councils[READING]
        already = Learner.objects.filter(council=self.councils[WARWICKSHIRE]).order_by("pk").first()
        for first_name, last_name, email in (
            DEMO_NOMINEE,
            (already.first_name, already.last_name, already.email),
        ):
            if not Nomination.objects.filter(council=reading, email=email).exists():
                nomination_create(
                    council=reading,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    job_title=NOMINEE_JOB_TITLE,
                    target_level=self.levels["practitioner"],
                    acting_user=self.sros[READING],
                )

    def pick_council(self, quotas: dict[str, int], *, onboarded_by: date) -> str:
        eligible = [
            code
            for code, left in quotas.items()
            if left > 0 and self.facts[code].onboarded_on <= onboarded_by
        ]
        code = self.rng.choices(eligible, weights=[quotas[code] for code in eligible])[0]
        quotas[code] -= 1
        return code

    def journey_in(self, spec: CohortSpec) -> Journey:
        schedule = self.schedules[spec.code]
        status = cohort_status(spec.starts_on, spec.ends_on)
        if status == Cohort.Status.COMPLETED:
            logs_cpd = self.levels[spec.level].cpd_hours_per_year is not None
            return journey_in_completed_cohort(self.rng, spec, schedule, logs_cpd=logs_cpd)
        if status == Cohort.Status.RUNNING:
            return journey_in_running_cohort(self.rng, spec, schedule)
        return journey_in_planned_cohort(self.rng)

    def seed_learner(self, number, code, level_slug, journey, cohort):
        first_name, last_name = self.person()
        domain = f"{council_slug(self.facts[code].name)}.example.gov.uk"
        self.save_learner(
            email=f"{email_part(first_name)}.{email_part(last_name)}{number}@{domain}",
            details={
                "council": self.councils[code],
                "first_name": first_name,
                "last_name": last_name,
                "job_title": self.rng.choice(JOB_TITLES[level_slug]),
                "grade": self.rng.choice(GRADES[level_slug]),
                "target_level": self.levels[level_slug],
            },
            journey=journey,
            cohort=cohort,
        )

    def seed_demo_learner(self):
        """Part-way through a running Practitioner cohort whose next workshops are ahead. She
        accepted her invitation long ago, so her record is linked to her account."""
        email, first_name, last_name = DEMO_LEARNER
        user = self.demo_login(email, first_name, last_name)
        schedule = self.schedules[DEMO_LEARNER_COHORT]
        journey = Journey(
            status=Learner.Status.ACTIVE,
            enrolment_status=Enrolment.Status.ENROLLED,
            enrolled_on=DEMO_LEARNER_ENROLLED_ON,
            completed=[
                (step, on) for (step, _), on in zip(schedule, DEMO_LEARNER_PROGRESS, strict=False)
            ],
        )
        self.save_learner(
            email=email,
            details={
                "council": self.councils[READING],
                "first_name": first_name,
                "last_name": last_name,
                "job_title": "Contract Manager",
                "grade": "PO1",
                "target_level": self.levels["practitioner"],
                "user": user,
            },
            journey=journey,
            cohort=self.cohorts[DEMO_LEARNER_COHORT],
        )

    def link_demo_learner(self):
        email, _, _ = DEMO_LEARNER
        learner = Learner.objects.select_related("user").get(email=email)
        user = User.objects.get(email=email)
        if learner.user_id != user.pk:
            learner.user = user
            learner.save(update_fields=["user", "updated_at"])
        self.demo_learner = learner

    def save_learner(self, *, email, details, journey, cohort):
        """Queue a learner the database does not hold yet, to be written with their journey."""
        if email in self.known_emails:
            return
        self.known_emails.add(email)
        learner = Learner(
            email=email,
            **details,
            status=journey.joined_as,
            last_progress_on=journey.last_progress_on,
        )
        self.new_learners.append((learner, journey, cohort))

    def record_journeys(self):
        """The new learners in one bulk insert, then everything that happened to them in one
        insert per model."""
        learners = [learner for learner, _, _ in self.new_learners]
        Learner.objects.bulk_create(learners, batch_size=500)
        self.date_learners_past()
        for learner, journey, cohort in self.new_learners:
            self.record_journey(learner, journey, cohort)
        self.new_learners = []
        self.save_queued()
        # The steps each learner has done, stored as the list sorts by them, by the one rule.
        learner_refresh_progress(learner_ids=[learner.pk for learner in learners], loaded=learners)

    def date_learners_past(self):
        """Each new learner was written as they joined: date their record and its first history
        row that day, then give those whose status has changed since it, dated the change."""
        learners = [learner for learner, _, _ in self.new_learners]
        for learner, journey, _ in self.new_learners:
            learner.created_at = learner._history_date = london(journey.joined_on, RECORDED_AT)
        Learner.objects.bulk_update(learners, ["created_at"], batch_size=500)
        Learner.history.bulk_history_create(learners, batch_size=500)
        changed = []
        for learner, journey, _ in self.new_learners:
            if journey.status != learner.status:
                learner.status = journey.status
                learner._history_date = london(journey.status_since, RECORDED_AT)
                changed.append(learner)
        bulk_update_with_history(changed, Learner, ["status"], batch_size=500)
        for learner in learners:
            del learner._history_date  # a later save is dated when it happens

    def record_journey(self, learner: Learner, journey: Journey, cohort: Cohort | None):
        level = learner.target_level
        if cohort is not None and cohort.status == Cohort.Status.PLANNED:
            self.places_to_offer.append(
                (journey.enrolled_on, len(self.places_to_offer), learner, cohort)
            )
        elif cohort is not None:
            self.add_later(
                Enrolment(
                    learner=learner,
                    cohort=cohort,
                    level=cohort.level,
                    status=journey.enrolment_status,
                    enrolled_on=journey.enrolled_on,
                    ended_on=journey.ended_on,
                    reason=journey.reason,
                )
            )
        for step, completed_on in journey.completed:
            source = step_source(step)
            self.add_later(
                StepProgress(
                    learner=learner,
                    step=step,
                    status=StepProgress.Status.COMPLETED,
                    completed_on=completed_on,
                    source=source,
                )
            )
            if source == ResultSource.ATTENDANCE:
                self.add_later(
                    SessionAttendance(
                        session=self.sessions[(cohort.pk, step.pk)],
                        learner=learner,
                        status=SessionAttendance.Status.PRESENT,
                    )
                )
        for booked_for, result, result_on in journey.attempts:
            self.add_later(
                AssessmentAttempt(
                    learner=learner,
                    level=level,
                    booked_for=booked_for,
                    result=result,
                    result_on=result_on,
                    source=ResultSource.COLLEGE,
                )
            )
        if journey.accredited_on:
            self.add_later(
                Accreditation(
                    learner=learner,
                    level=level,
                    achieved_on=journey.accredited_on,
                    renewal_due=level.renewal_due(journey.accredited_on),
                    source=ResultSource.COLLEGE,
                )
            )
        for done_on, hours, activity in journey.cpd:
            self.add_later(
                CpdEntry(learner=learner, done_on=done_on, hours=hours, activity=activity)
            )

    # Networks, support and maturity

    def managing_staff(self, code: str, on: date) -> User:
        """The demo staff user of the body that managed the council on the day."""
        facts = self.facts[code]
        handed_over_on = HAND_OVERS.get(code)
        by_local_partnerships = facts.onboarded_on >= LOCAL_PARTNERSHIPS_FROM or (
            handed_over_on is not None and on >= handed_over_on
        )
        return self.staff["local-partnerships" if by_local_partnerships else "dluhc"]

    def seed_networks(self):
        """Each network's councils and members, its meetings with their registers, and what its
        members have shared."""
        networks = {network.slug: network for network in Network.objects.all()}
        not_answered = {code for code, _ in NETWORK_INVITED["sro-network"]}
        sro_members = []
        for code, facts in self.facts.items():
            if facts.status not in (Council.Status.ACTIVE, Council.Status.ONBOARDED):
                continue
            joined_on = facts.onboarded_on + timedelta(days=self.rng.randint(7, 42))
            joined_on = max(joined_on, NETWORKS_LAUNCHED)
            if code in not_answered:
                continue  # its SRO joins once the council accepts the invitation
            sro_members.append(
                self.join(networks["sro-network"], self.sros[code], self.councils[code], joined_on)
            )
        learner_members = [
            self.join(
                networks["learners-network"],
                self.demo_learner.user,
                self.councils[READING],
                DEMO_LEARNER_JOINED_NETWORK,
            ),
            *self.seed_learner_members(networks["learners-network"]),
        ]
        for slug, members in (("sro-network", sro_members), ("learners-network", learner_members)):
            self.seed_network_councils(networks[slug], members)
            self.seed_meetings(networks[slug], members)
            self.seed_resources(networks[slug])
        self.save_queued()

    def join(
        self, network, user, council, joined_on, left_on=None
    ) -> tuple[NetworkMembership, date]:
        membership, _ = NetworkMembership.objects.get_or_create(
            network=network,
            user=user,
            defaults={"council": council, "joined_on": joined_on, "left_on": left_on},
        )
        return membership, joined_on

    def seed_learner_members(self, network: Network) -> list[tuple[NetworkMembership, date]]:
        """Learners who accepted their invitation to the portal joined the Learners Network some
        weeks after they joined the programme; those who withdrew since have left it."""
        # In Python's order, not the database's collation, so every database draws the same.
        pool = sorted(
            Learner.objects.filter(
                council__status__in=(Council.Status.ACTIVE, Council.Status.ONBOARDED),
                status__in=(
                    Learner.Status.ACCREDITED,
                    Learner.Status.ACTIVE,
                    Learner.Status.WITHDRAWN,
                ),
            )
            .exclude(email=DEMO_LEARNER[0])
            .select_related("council"),
            key=lambda learner: learner.email,
        )
        # The earliest to join the programme (and still on it) founded the network at its launch.
        founders = sorted(
            (learner for learner in pool if learner.status != Learner.Status.WITHDRAWN),
            key=lambda learner: (learner.created_at, learner.email),
        )[:LEARNERS_NETWORK_FOUNDERS]
        others = [learner for learner in pool if learner not in founders]
        chosen = founders + self.rng.sample(others, LEARNER_ACCOUNTS - len(founders))
        left = dict(
            Enrolment.objects.filter(
                learner__in=chosen, status=Enrolment.Status.WITHDRAWN
            ).values_list("learner", "ended_on")
        )
        accounts = self.learner_accounts(chosen)
        members = []
        for learner in chosen:
            joined_on = timezone.localdate(learner.created_at)
            joined_on += timedelta(days=self.rng.randint(14, 120))
            if learner in founders:
                joined_on = NETWORKS_LAUNCHED
            joined_on = max(joined_on, NETWORKS_LAUNCHED)
            left_on = left.get(learner.pk)
            if joined_on > YESTERDAY or (left_on is not None and left_on <= joined_on):
                continue
            members.append(
                self.join(network, accounts[learner.pk], learner.council, joined_on, left_on)
            )
        return members

    def learner_accounts(self, learners: list[Learner]) -> dict[int, User]:
        """Each learner's account, as if they accepted their invitation a week after joining:
        linked to their record, with a password of their own (one nobody here knows)."""
        accounts = {
            user.email: user
            for user in User.objects.filter(email__in=[learner.email for learner in learners])
        }
        unknown = [learner for learner in learners if learner.email not in accounts]
        # One hash for them all (hashing is slow by design) of a password nobody keeps.
        password = make_password(secrets.token_urlsafe(32)) if unknown else ""
        new = [
            User(
                email=learner.email,
                first_name=learner.first_name,
                last_name=learner.last_name,
                password=password,
                date_joined=learner.created_at + timedelta(days=7),
            )
            for learner in unknown
        ]
        User.objects.bulk_create(new)
        accounts.update({user.email: user for user in new})
        unlinked = [
            learner for learner in learners if learner.user_id != accounts[learner.email].pk
        ]
        for learner in unlinked:
            learner.user = accounts[learner.email]
        # No history row: one dated now is no change, and one dated then would hold today's status.
        Learner.objects.bulk_update(unlinked, ["user"])
        return {learner.pk: accounts[learner.email] for learner in learners}

    def seed_network_councils(
        self, network: Network, members: list[tuple[NetworkMembership, date]]
    ):
        """Each council with members joined on its first member's day, invited a little before
        by its managing body; a few invited lately have not answered; one declined."""
        first_joined: dict[int, date] = {}
        for membership, joined_on in members:
            earlier = first_joined.get(membership.council_id, joined_on)
            first_joined[membership.council_id] = min(earlier, joined_on)
        invited = list(NETWORK_INVITED[network.slug])
        rows = []
        for code, council in self.councils.items():
            if council.pk not in first_joined:
                continue
            joined_on = first_joined[council.pk]
            invited_on = joined_on - timedelta(days=self.rng.randint(7, 28))
            invited_on = max(invited_on, self.facts[code].onboarded_on)
            rows.append((code, NetworkCouncil.Status.JOINED, invited_on, joined_on, None))
        if network.slug == "learners-network":
            newest = sorted(
                (
                    code
                    for code, facts in self.facts.items()
                    if facts.status in (Council.Status.ACTIVE, Council.Status.ONBOARDED)
                    and self.councils[code].pk not in first_joined
                ),
                key=lambda code: (self.facts[code].onboarded_on, code),
                reverse=True,
            )
            invited += [
                (code, DEMO_TODAY - timedelta(weeks=1 + 2 * index))
                for index, code in enumerate(newest[:LEARNERS_NETWORK_INVITES])
            ]
        rows += [(code, NetworkCouncil.Status.INVITED, on, None, None) for code, on in invited]
        rows += [
            (code, NetworkCouncil.Status.DECLINED, invited_on, None, declined_on)
            for code, invited_on, declined_on in NETWORK_DECLINED[network.slug]
        ]
        already = set(network.councils.values_list("council_id", flat=True))
        for code, status, invited_on, joined_on, declined_on in rows:
            if self.councils[code].pk in already:
                continue
            self.add_later(
                NetworkCouncil(
                    network=network,
                    council=self.councils[code],
                    status=status,
                    invited_on=invited_on,
                    joined_on=joined_on,
                    declined_on=declined_on,
                    invited_by=self.managing_staff(code, invited_on),
                )
            )

    def seed_meetings(self, network: Network, members: list[tuple[NetworkMembership, date]]):
        """Quarterly since January 2022, each with its agenda; the two in 2027 are still to come;
        one was cancelled. Members who were in the network on the day have a mark."""
        nth, weekday, starts = MEETING_PATTERN[network.slug]
        themes = MEETING_THEMES[network.slug]
        for index, day in enumerate(quarterly_days(nth, weekday)):
            theme = themes[index % len(themes)]
            held = day < DEMO_TODAY
            attendance = []
            if held:
                attendance = [
                    (membership, self.rng.choices(ATTENDANCE, weights=ATTENDANCE_WEIGHTS)[0])
                    for membership, joined_on in members
                    if joined_on <= day
                    and (membership.left_on is None or day <= membership.left_on)
                ]
            in_person = day.month == 7  # the summer meeting is held in person
            cancelled = CANCELLED_MEETINGS.get((network.slug, day), "")
            summary = ""
            if cancelled:
                summary = cancelled
            elif held:
                summary = f"Members discussed {theme[0].lower()}{theme[1:]}."
            starts_at = london(day, starts)
            minutes = IN_PERSON_MINUTES if in_person else MEETING_MINUTES[network.slug]
            meeting, created = NetworkMeeting.objects.get_or_create(
                network=network,
                starts_at=starts_at,
                defaults={
                    "title": theme,
                    "ends_at": starts_at + timedelta(minutes=minutes),
                    "location": LONDON_VENUE if in_person else "Online",
                    "online_url": (
                        ""
                        if in_person
                        else f"https://events.example.gov.uk/cmpp/{network.slug}/{day:%Y-%m}"
                    ),
                    "agenda": meeting_agenda(theme, in_person=in_person),
                    "summary": summary,
                    "is_cancelled": bool(cancelled),
                    "sequence": 1 if cancelled else 0,  # cancelling updates the calendar event
                },
            )
            if created and not cancelled:
                for membership, status in attendance:
                    self.add_later(
                        MeetingAttendance(meeting=meeting, membership=membership, status=status)
                    )

    def seed_resources(self, network: Network):
        """Links and small documents, each shared by staff or an SRO; a document is stored once
        under a fixed name, as an upload would be."""
        already = set(network.resources.values_list("title", flat=True))
        for spec in RESOURCES[network.slug]:
            if spec.title in already:
                continue
            resource = NetworkResource(
                network=network,
                title=spec.title,
                description=spec.description,
                published_on=spec.published_on,
                tags=spec.tags,
                shared_by=self.staff.get(spec.shared_by) or self.sros[spec.shared_by],
                url=spec.url,
            )
            if spec.file_name:
                name = f"networks/resources/{spec.published_on:%Y/%m}/{spec.file_name}"
                stored = stored_file(name, spec.title, spec.content)
                resource.file = stored.name
                resource.file_name = spec.file_name
                resource.content_type = stored.content_type
                resource.size = stored.size
            self.add_later(resource)

    def seed_support_engagements(self):
        """Mostly finished work, some under way, a few ahead, each with its notes; Local
        Partnerships' specialists (who arrived in 2023) lead the work since."""
        active = [code for code, f in self.facts.items() if f.status == Council.Status.ACTIVE]
        work = self.rng.sample(SUPPORT_WORK, len(SUPPORT_WORK))
        for index, code in enumerate(self.rng.sample(active, SUPPORTED_COUNCILS)):
            title, objectives, outcomes, notes = work[index % len(work)]
            earliest = max(self.facts[code].onboarded_on + timedelta(days=90), SUPPORT_BEGAN)
            status, starts_on, ends_on = plan_support(self.rng, earliest)
            if status == SupportEngagement.Status.CLOSED:
                outcomes = CLOSED_EARLY_OUTCOME
            elif status == SupportEngagement.Status.PLANNED:
                outcomes, notes = "", PLANNED_SUPPORT_NOTE
            elif status != SupportEngagement.Status.COMPLETED:
                outcomes = ""
            specialist = None
            if starts_on >= LOCAL_PARTNERSHIPS_FROM:
                specialist = self.staff["local-partnerships"]
            SupportEngagement.objects.get_or_create(
                council=self.councils[code],
                title=title,
                defaults={
                    "objectives": objectives,
                    "status": status,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "notes": notes,
                    "outcomes": outcomes,
                    "specialist": specialist,
                },
            )

    def seed_maturity_assessments(self):
        """A baseline soon after onboarding; a follow-up a year or more later, mostly improved,
        some not. Staff accepted them all, except Reading's latest (returned to its SRO to
        mend), Warwickshire's latest (waiting for review) and one new council's draft."""
        self.areas = list(MaturityArea.objects.order_by("order"))
        self.known_assessments = set(
            MaturityAssessment.objects.values_list("council_id", "kind", "assessed_on")
        )
        self.known_baselines = set(
            MaturityAssessment.objects.filter(kind=MaturityAssessment.Kind.BASELINE).values_list(
                "council_id", flat=True
            )
        )
        chosen = {READING, WARWICKSHIRE, MATURITY_DRAFT, *MATURITY_STALLED}
        for code, facts in self.facts.items():
            if facts.onboarded_on is None:
                continue
            baseline_on = facts.onboarded_on + timedelta(days=self.rng.randint(14, 45))
            baseline_on = min(baseline_on, YESTERDAY)
            baseline = [self.draw_score() for _ in self.areas]
            follow_up_on = baseline_on + timedelta(days=self.rng.randint(365, 540))
            follow_up = [self.improved(score) for score in baseline]
            sent_baseline = self.rng.random() < 0.88 or code in chosen
            sent_follow_up = self.rng.random() < 0.8 and follow_up_on < DEMO_TODAY
            if not sent_baseline:
                continue
            if code in MATURITY_STALLED:
                follow_up, sent_follow_up = slipped(baseline), follow_up_on < DEMO_TODAY
            if code == READING:
                sent_follow_up = False  # its first follow-up was returned (below)
            if code == MATURITY_DRAFT:
                self.seed_assessment(
                    code, MaturityAssessment.Kind.BASELINE, baseline_on, baseline, draft=True
                )
                continue
            self.seed_assessment(code, MaturityAssessment.Kind.BASELINE, baseline_on, baseline)
            if sent_follow_up:
                self.seed_assessment(
                    code, MaturityAssessment.Kind.FOLLOW_UP, follow_up_on, follow_up
                )
            if code in (READING, WARWICKSHIRE):
                latest = follow_up if sent_follow_up else baseline
                self.seed_assessment_in_review(code, [self.improved(score) for score in latest])
        self.save_queued()

    def draw_score(self) -> int:
        return self.rng.choices(range(1, 6), weights=SCORE_WEIGHTS)[0]

    def improved(self, score: int) -> int:
        return min(5, max(1, score + self.rng.choices(IMPROVEMENTS, IMPROVEMENT_WEIGHTS)[0]))

    def seed_assessment_in_review(self, code: str, scores: list[int]):
        """Reading's follow-up, returned with a note; Warwickshire's, waiting for staff."""
        kind = MaturityAssessment.Kind.FOLLOW_UP
        if code == READING:
            _, assessed_on, submitted_on, returned_on = MATURITY_RETURNED
            scores = [
                4 if area.name == "Performance management" else score
                for area, score in zip(self.areas, scores, strict=True)
            ]
            self.seed_assessment(
                code,
                kind,
                assessed_on,
                scores,
                submitted_on=submitted_on,
                reviewed_on=returned_on,
                review_note=MATURITY_RETURN_NOTE,
            )
        else:
            _, assessed_on, submitted_on = MATURITY_SUBMITTED
            self.seed_assessment(code, kind, assessed_on, scores, submitted_on=submitted_on)

    def seed_assessment(
        self,
        code: str,
        kind: str,
        assessed_on: date,
        scores: list[int],
        *,
        draft: bool = False,
        submitted_on: date | None = None,
        reviewed_on: date | None = None,
        review_note: str = "",
    ):
        """An assessment the council's SRO submitted and staff of its managing body reviewed:
        accepted a few days later unless the dates given say otherwise (none for a draft).
        Written once: found again by its council, kind and day (a baseline by its council)."""
        status = MaturityAssessment.Status.ACCEPTED
        if draft:
            status = MaturityAssessment.Status.DRAFT
        elif review_note:
            status = MaturityAssessment.Status.RETURNED
        elif submitted_on is not None and reviewed_on is None:
            status = MaturityAssessment.Status.SUBMITTED
        elif submitted_on is None:
            submitted_on = min(assessed_on + timedelta(days=self.rng.randint(0, 7)), YESTERDAY)
            reviewed_on = min(submitted_on + timedelta(days=self.rng.randint(2, 14)), YESTERDAY)
        council = self.councils[code]
        if (council.pk, kind, assessed_on) in self.known_assessments or (
            kind == MaturityAssessment.Kind.BASELINE and council.pk in self.known_baselines
        ):
            return  # after the draws above, so a second run draws as the first did
        assessment = MaturityAssessment(
            council=council,
            kind=kind,
            assessed_on=assessed_on,
            status=status,
            review_note=review_note,
        )
        if submitted_on is not None:
            assessment.submitted_by = self.sros[code]
            assessment.submitted_at = london(submitted_on, time(10))
        if reviewed_on is not None:
            assessment.reviewed_by = self.managing_staff(code, reviewed_on)
            assessment.reviewed_at = london(reviewed_on, time(15))
        self.add_later(assessment)
        # The demo logins' SROs explain some follow-up scores; others give the numbers alone.
        comments = {}
        if code in (READING, WARWICKSHIRE) and kind == MaturityAssessment.Kind.FOLLOW_UP:
            comments = MATURITY_COMMENTS
        for area, score in zip(self.areas, scores, strict=True):
            comment = comments.get(area.name, "")
            self.add_later(
                MaturityScore(assessment=assessment, area=area, score=score, comment=comment)
            )
