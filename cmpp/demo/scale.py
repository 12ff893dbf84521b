"""A national-scale programme for `seed_scale`: hundreds of councils and tens of thousands of
learners, on top of the demo (`seed_demo`) or on an empty database.

It draws everything from one seeded `random.Random`, in Python, before it reads what the database
holds, so the same seed makes the same programme on any database. It plans the whole programme
first (councils, cohorts, each learner's journey through `cmpp.demo.programme`'s rules), then
writes it model by model in bulk, the demo's way: `bulk_create` in batches, and
`bulk_create_with_history` for a model with history, so each record has its history row. A
learner's record and history are dated as the demo dates them (`DemoProgramme.date_learners_past`).

What the portal derives, the rows keep its way, as the demo does: `last_progress_on` is the latest
step done, a learner accredited at their level has an accreditation whose renewal date is
`AccreditationLevel.renewal_due`, a workshop done has a present mark at its session, and each
council's funded places cover the places its learners hold at a funded level
(`learners.selectors.uses_funded_place`).

Its own rows are recognisable: councils named "Scale District Council 0001" with codes from
`E99000001` (no real ONS code starts `E99`), their people at `scale-district-council-0001.
example.gov.uk` and so on, cohorts coded `PRAC-2603-S0001`.
"""

import math
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from cmpp.accounts.models import StaffMembership, User
from cmpp.demo.data import (
    ATTENDANCE,
    ATTENDANCE_WEIGHTS,
    BIRMINGHAM_VENUE,
    COHORTS,
    DEMO_TODAY,
    INTAKES,
    LEEDS_VENUE,
    LOCAL_PARTNERSHIPS_FROM,
    LONDON_VENUE,
    MANCHESTER_VENUE,
    NETWORKS_LAUNCHED,
    SUPPORT_BEGAN,
    SUPPORT_WORK,
    TARGET_LEVEL_WEIGHTS,
    YESTERDAY,
    CohortSpec,
)
from cmpp.demo.programme import (
    RECORDED_AT,
    CouncilFacts,
    DemoProgramme,
    Journey,
    cohort_status,
    council_slug,
    council_status,
    london,
    plan_steps,
    plan_support,
)
from cmpp.notifications.models import OutboundEmail
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep
from councils.models import (
    Council,
    CouncilRole,
    ManagingBodyPeriod,
    MaturityArea,
    MaturityAssessment,
    MaturityScore,
    SupportEngagement,
)
from learners.models import Enrolment, Learner
from networks.models import (
    MeetingAttendance,
    Network,
    NetworkCouncil,
    NetworkMeeting,
    NetworkMembership,
)

CODE_PREFIX = "E99"
NAME_PREFIX = "Scale District Council"
# Every address of the scale's people holds this (their council's domain starts with it).
DOMAIN_MARK = "@scale-district-council-"
COHORT_SIZE = 25
BATCH = 1000
COHORT_CAPACITY = 30
FIRST_ONBOARDED = date(2021, 10, 4)
LAST_ONBOARDED = DEMO_TODAY - timedelta(days=21)
FIRST_COHORT = date(2022, 1, 3)
# Of the cohorts: the share that has finished, then the share running (the rest are planned).
COMPLETED_SHARE, RUNNING_SHARE = 0.3, 0.6
COUNCIL_TYPES = ["district", "district", "district", "unitary", "county", "metropolitan"]
ENGLISH_REGIONS = [
    "north_east",
    "north_west",
    "yorkshire",
    "east_midlands",
    "west_midlands",
    "east",
    "london",
    "south_east",
    "south_west",
]
VENUES = ["", "", LONDON_VENUE, BIRMINGHAM_VENUE, MANCHESTER_VENUE, LEEDS_VENUE]
SUPPORTED_SHARE = 0.3
ACCOUNT_SHARE = 0.1  # learners who accepted their invitation and joined the Learners Network


def council_code(number: int) -> str:
    return f"{CODE_PREFIX}{number:06d}"


def council_name(number: int) -> str:
    return f"{NAME_PREFIX} {number:04d}"


def demo_domains() -> list[str]:
    """The email domains of the demo's councils, as `DemoProgramme` makes them."""
    return [
        f"{council_slug(name)}.example.gov.uk" for rows in INTAKES.values() for name, *_ in rows
    ]


def scale_has_run() -> bool:
    """Whether an earlier run's councils are here."""
    return Council.objects.filter(code__startswith=CODE_PREFIX).exists()


def foreign_data() -> dict[str, int]:
    """Rows that are neither the demo's nor this seed's: learners at other addresses, councils
    with other codes. Empty when the database is safe to fill."""
    known_emails = Q(email__icontains=DOMAIN_MARK)
    for domain in demo_domains():
        known_emails |= Q(email__iendswith=f"@{domain}")
    demo_codes = [code for rows in INTAKES.values() for _, code, *_ in rows]
    found = {
        "learners": Learner.objects.exclude(known_emails).count(),
        "councils": Council.objects.exclude(code__startswith=CODE_PREFIX)
        .exclude(code__in=demo_codes)
        .count(),
    }
    return {name: count for name, count in found.items() if count}


def level_durations() -> dict[str, list[timedelta]]:
    """How long the demo's cohorts of each level run, to draw the scale's from."""
    durations: dict[str, list[timedelta]] = {}
    for spec in COHORTS:
        durations.setdefault(spec.level, []).append(spec.ends_on - spec.starts_on)
    return durations


def monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


class ScaleProgramme(DemoProgramme):
    """Plans a national-scale programme with the demo's rules, then writes it in bulk."""

    def __init__(self, rng: random.Random, *, councils: int, learners: int):
        super().__init__(rng)
        self.council_count = councils
        self.learner_count = learners
        self.bodies: dict[str, str] = {}
        self.specs: list[CohortSpec] = []
        self.council_places: dict[str, int] = {}
        self.learner_councils: dict[int, str] = {}
        self.counts: dict[str, int] = {}
        # The first staff user of each managing body, if any (none on an empty database).
        for membership in StaffMembership.objects.select_related("organisation").order_by("pk"):
            self.staff.setdefault(membership.organisation.slug, membership.user)

    def seed(self):
        """Every step in turn, keeping how long each took in `timings`."""
        self.timings: dict[str, float] = {}
        for step in (
            self.plan_councils,
            self.plan_cohorts,
            self.plan_learners,
            self.seed_scale_councils,
            self.seed_scale_cohorts,
            self.record_journeys,
            self.seed_scale_networks,
            self.seed_scale_support,
            self.seed_scale_maturity,
            self.seed_outbox,
        ):
            started = monotonic()
            step()
            self.timings[step.__name__] = monotonic() - started

    # Planning: every draw, before anything is read from or written to the database

    def plan_councils(self):
        """Onboarded from October 2021, more in the early years; each managed by DLUHC if it
        joined before Local Partnerships took over new councils, else by Local Partnerships."""
        span = (LAST_ONBOARDED - FIRST_ONBOARDED).days
        for number in range(1, self.council_count + 1):
            code = council_code(number)
            onboarded_on = FIRST_ONBOARDED + timedelta(days=int(span * self.rng.random() ** 1.5))
            self.facts[code] = CouncilFacts(
                name=council_name(number),
                onboarded_on=onboarded_on,
                status=council_status(code, onboarded_on),
                funded_places=0,  # set once its learners' places are known
            )
            self.bodies[code] = (
                "dluhc" if onboarded_on < LOCAL_PARTNERSHIPS_FROM else "local-partnerships"
            )
            first_name, last_name = self.person()
            self.councils[code] = Council(
                name=council_name(number),
                code=code,
                council_type=self.rng.choice(COUNCIL_TYPES),
                region=self.rng.choice(ENGLISH_REGIONS),
                lga_priority=self.rng.random() < 0.2,
                status=self.facts[code].status,
                onboarded_on=onboarded_on,
            )
            self.sros[code] = User(
                email=f"sro@{self.domain(code)}",
                first_name=first_name,
                last_name=last_name,
                password=make_password(None),  # unusable: they sign in once invited
            )

    def domain(self, code: str) -> str:
        return f"{council_slug(self.facts[code].name)}.example.gov.uk"

    def plan_cohorts(self):
        """About 25 learners a cohort; most running now, some finished, a few still to start,
        each at a level drawn with the demo's weights and as long as a demo cohort of it."""
        durations = level_durations()
        count = math.ceil(self.learner_count / COHORT_SIZE)
        sizes = [COHORT_SIZE] * (self.learner_count // COHORT_SIZE)
        if self.learner_count % COHORT_SIZE:
            sizes.append(self.learner_count % COHORT_SIZE)
        drafts = []
        for size in sizes[:count]:
            level = self.rng.choices(
                list(TARGET_LEVEL_WEIGHTS), weights=list(TARGET_LEVEL_WEIGHTS.values())
            )[0]
            duration = self.rng.choice(durations[level])
            roll = self.rng.random()
            if roll < COMPLETED_SHARE:
                latest = DEMO_TODAY - duration - timedelta(days=14)
                starts_on = FIRST_COHORT + timedelta(
                    days=self.rng.randint(0, (latest - FIRST_COHORT).days)
                )
            elif roll < COMPLETED_SHARE + RUNNING_SHARE:
                starts_on = DEMO_TODAY - timedelta(days=self.rng.randint(14, duration.days - 14))
            else:
                starts_on = DEMO_TODAY + timedelta(days=self.rng.randint(14, 120))
            starts_on = monday_on_or_before(starts_on)
            delivered_by = self.rng.choice(["gcc", "gcc", "local-partnerships"])
            venue = self.rng.choice(VENUES)
            drafts.append((starts_on, level, duration, delivered_by, venue, size))
        for number, (starts_on, level, duration, delivered_by, venue, size) in enumerate(
            sorted(drafts, key=lambda draft: (draft[0], draft[1])), start=1
        ):
            prefix = {"foundation": "FOUN", "practitioner": "PRAC", "expert": "EXP"}[level]
            spec = CohortSpec(
                code=f"{prefix}-{starts_on:%y%m}-S{number:04d}",
                starts_on=starts_on,
                ends_on=starts_on + duration,
                capacity=COHORT_CAPACITY,
                delivered_by=delivered_by,
                venue=venue,
                learners=size,
            )
            self.specs.append(spec)
            steps = self.level_steps(level)
            self.schedules[spec.code] = plan_steps(spec, steps)

    def level_steps(self, slug: str) -> list[LevelStep]:
        if not hasattr(self, "_steps"):
            self._steps = {
                level.slug: list(level.steps.filter(is_active=True).order_by("order"))
                for level in AccreditationLevel.objects.all()
            }
        return self._steps[slug]

    def plan_learners(self):
        """Each cohort's places go to councils onboarded well before it starts, drawn by how
        many of their share of the learners they have still to place."""
        quotas = dict.fromkeys(self.facts, self.learner_count / self.council_count)
        by_onboarding = sorted(self.facts, key=lambda code: (self.facts[code].onboarded_on, code))
        number = 0
        for spec in self.specs:
            onboarded_by = spec.starts_on - timedelta(days=42)
            eligible = [c for c in by_onboarding if self.facts[c].onboarded_on <= onboarded_by]
            eligible = eligible or by_onboarding[:1]
            with_quota = [code for code in eligible if quotas[code] > 0] or eligible
            codes = self.rng.choices(
                with_quota, weights=[max(quotas[code], 1) for code in with_quota], k=spec.learners
            )
            for code in codes:
                quotas[code] -= 1
                number += 1
                journey = self.journey_in(spec)
                self.learner_councils[number] = code
                self.seed_learner(number, code, spec.level, journey, spec.code)
                if self.holds_funded_place(spec, journey):
                    self.council_places[code] = self.council_places.get(code, 0) + 1
        for code in self.facts:
            spare = self.rng.randint(0, 3)
            self.councils[code].funded_places = self.council_places.get(code, 0) + spare

    def holds_funded_place(self, spec: CohortSpec, journey: Journey) -> bool:
        """`uses_funded_place` for a planned learner: a place held or completed, at a funded
        level (every place in a cohort not started is a place held: it is never full)."""
        held = journey.enrolment_status in (
            None,
            Enrolment.Status.ENROLLED,
            Enrolment.Status.COMPLETED,
        )
        return held and self.levels[spec.level].is_funded

    # Writing, model by model

    def seed_scale_councils(self):
        """Councils, their SROs' accounts and roles, and each council's managing body since it
        was onboarded."""
        bulk_create_with_history(list(self.councils.values()), Council, batch_size=500)
        User.objects.bulk_create(list(self.sros.values()), batch_size=500)
        for code, council in self.councils.items():
            self.add_later(
                CouncilRole(council=council, user=self.sros[code], role=CouncilRole.Role.SRO)
            )
            self.add_later(
                ManagingBodyPeriod(
                    council=council,
                    organisation=self.organisations[self.bodies[code]],
                    starts_on=council.onboarded_on,
                )
            )
        self.save_queued()

    def seed_scale_cohorts(self):
        """Cohorts with their status by their dates, each with a launch webinar and a session
        for each workshop step."""
        for spec in self.specs:
            level = self.levels[spec.level]
            self.cohorts[spec.code] = Cohort(
                code=spec.code,
                name=f"{level.name} cohort {spec.code[-5:]}, {spec.starts_on:%B %Y}",
                level=level,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                capacity=spec.capacity,
                delivery_organisation=self.organisations[spec.delivered_by],
                status=cohort_status(spec.starts_on, spec.ends_on),
            )
        bulk_create_with_history(list(self.cohorts.values()), Cohort, batch_size=500)
        for spec in self.specs:
            self.add_sessions(spec)
        sessions = self.new_rows.get(CohortSession, [])
        self.save_queued()
        self.sessions = {
            (session.cohort_id, session.step_id): session
            for session in sessions
            if session.step_id is not None
        }
        # The learners were planned with their cohort's code: give them the cohort now.
        self.new_learners = [
            (learner, journey, self.cohorts[code]) for learner, journey, code in self.new_learners
        ]

    def add_sessions(self, spec: CohortSpec):
        cohort = self.cohorts[spec.code]
        sessions = [
            (None, "Cohort launch webinar", spec.starts_on + timedelta(days=1), time(11, 30))
        ]
        for step, day in self.schedules[spec.code]:
            if step.kind == LevelStep.Kind.WORKSHOP:
                sessions.append((step, step.name, day, time(13, 30)))
        for step, title, day, ends in sessions:
            online_url = ""
            if not spec.venue:
                online_url = (
                    f"https://events.example.gov.uk/cmpp/{spec.code.lower()}/{slugify(title)}"
                )
            self.add_later(
                CohortSession(
                    cohort=cohort,
                    step=step,
                    title=title,
                    starts_at=london(day, time(10)),
                    ends_at=london(day, ends),
                    location=spec.venue or "Online",
                    online_url=online_url,
                )
            )

    def record_journey(self, learner: Learner, journey: Journey, cohort: Cohort | None):
        """As the demo records it; a place in a cohort not started is written directly (it is
        never full, so `enrolment_create` would give the place)."""
        if cohort is not None and cohort.status == Cohort.Status.PLANNED:
            self.add_later(
                Enrolment(
                    learner=learner,
                    cohort=cohort,
                    level=cohort.level,
                    status=Enrolment.Status.ENROLLED,
                    enrolled_on=journey.enrolled_on,
                )
            )
            return
        super().record_journey(learner, journey, cohort)

    def managing_staff(self, code: str, on: date) -> User | None:
        """The first staff user of the council's managing body, if there is one."""
        return self.staff.get(self.bodies[code])

    # Networks, support, maturity and the outbox

    def seed_scale_networks(self):
        """Every active or onboarded council's SRO joins the SRO Network; a tenth of the learners
        accepted their invitation and joined the Learners Network (those who withdrew have left
        it). Each council with members joined its network, and members have a mark at each
        meeting held while they belonged."""
        networks = {network.slug: network for network in Network.objects.all()}
        if not networks:
            return
        sro_members = []
        for code, facts in self.facts.items():
            if facts.status not in (Council.Status.ACTIVE, Council.Status.ONBOARDED):
                continue
            joined_on = facts.onboarded_on + timedelta(days=self.rng.randint(7, 42))
            joined_on = min(max(joined_on, NETWORKS_LAUNCHED), YESTERDAY)
            sro_members.append(
                self.membership(networks["sro-network"], self.sros[code], code, joined_on)
            )
        learner_members = self.seed_scale_learner_members(networks["learners-network"])
        for slug, members in (("sro-network", sro_members), ("learners-network", learner_members)):
            network = networks[slug]
            self.seed_meetings(network, [])  # the demo's meetings, made once if not there yet
            self.seed_scale_network_councils(network, members)
            self.seed_scale_attendance(network, members)
        self.save_queued()

    def membership(self, network, user, code, joined_on, left_on=None):
        membership = NetworkMembership(
            network=network,
            user=user,
            council=self.councils[code],
            joined_on=joined_on,
            left_on=left_on,
        )
        self.add_later(membership)
        return membership, joined_on

    def seed_scale_learner_members(self, network: Network):
        pool = [
            (learner, journey)
            for learner, journey, _ in self.written_learners
            if journey.status
            in (Learner.Status.ACCREDITED, Learner.Status.ACTIVE, Learner.Status.WITHDRAWN)
        ]
        chosen = self.rng.sample(pool, round(len(pool) * ACCOUNT_SHARE))
        chosen.sort(key=lambda pair: pair[0].email)
        accounts = self.learner_accounts([learner for learner, _ in chosen])
        members = []
        for learner, journey in chosen:
            joined_on = journey.joined_on + timedelta(days=self.rng.randint(14, 120))
            joined_on = max(joined_on, NETWORKS_LAUNCHED)
            left_on = journey.ended_on if journey.status == Learner.Status.WITHDRAWN else None
            if joined_on > YESTERDAY or (left_on is not None and left_on <= joined_on):
                continue
            code = self.learner_councils[self.learner_numbers[learner.email]]
            members.append(self.membership(network, accounts[learner.pk], code, joined_on, left_on))
        return members

    def seed_scale_network_councils(self, network, members):
        """Each council with members joined on its first member's day, invited a little
        before by its managing body."""
        first_joined: dict[str, date] = {}
        for membership, joined_on in members:
            code = membership.council.code
            first_joined[code] = min(first_joined.get(code, joined_on), joined_on)
        for code, joined_on in sorted(first_joined.items()):
            invited_on = joined_on - timedelta(days=self.rng.randint(7, 28))
            invited_on = max(invited_on, self.facts[code].onboarded_on)
            self.add_later(
                NetworkCouncil(
                    network=network,
                    council=self.councils[code],
                    status=NetworkCouncil.Status.JOINED,
                    invited_on=invited_on,
                    joined_on=joined_on,
                    invited_by=self.managing_staff(code, invited_on),
                )
            )

    def seed_scale_attendance(self, network, members):
        held = NetworkMeeting.objects.filter(
            network=network, is_cancelled=False, starts_at__lt=london(DEMO_TODAY, time(0))
        ).order_by("starts_at")
        for meeting in held:
            day = meeting.starts_at.date()
            for membership, joined_on in members:
                if joined_on <= day and (membership.left_on is None or day <= membership.left_on):
                    status = self.rng.choices(ATTENDANCE, weights=ATTENDANCE_WEIGHTS)[0]
                    self.add_later(
                        MeetingAttendance(meeting=meeting, membership=membership, status=status)
                    )

    def seed_scale_support(self):
        """A share of the active councils have had support, planned as the demo plans it."""
        active = [code for code, f in self.facts.items() if f.status == Council.Status.ACTIVE]
        chosen = self.rng.sample(active, round(len(active) * SUPPORTED_SHARE))
        for code in sorted(chosen):
            title, objectives, outcomes, notes = self.rng.choice(SUPPORT_WORK)
            earliest = max(self.facts[code].onboarded_on + timedelta(days=90), SUPPORT_BEGAN)
            status, starts_on, ends_on = plan_support(self.rng, earliest)
            if status != SupportEngagement.Status.COMPLETED:
                outcomes = ""
            specialist = None
            if starts_on >= LOCAL_PARTNERSHIPS_FROM:
                specialist = self.staff.get("local-partnerships")
            self.add_later(
                SupportEngagement(
                    council=self.councils[code],
                    title=title,
                    objectives=objectives,
                    status=status,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    notes=notes,
                    outcomes=outcomes,
                    specialist=specialist,
                )
            )
        self.save_queued()

    def seed_scale_maturity(self):
        """Most councils sent a baseline soon after onboarding and many a follow-up a year or
        more later; staff accepted them all, with a score for each area."""
        self.areas = list(MaturityArea.objects.order_by("order"))
        for code, facts in self.facts.items():
            baseline_on = min(
                facts.onboarded_on + timedelta(days=self.rng.randint(14, 45)), YESTERDAY
            )
            baseline = [self.draw_score() for _ in self.areas]
            follow_up_on = baseline_on + timedelta(days=self.rng.randint(365, 540))
            follow_up = [self.improved(score) for score in baseline]
            sent_baseline = self.rng.random() < 0.88
            sent_follow_up = self.rng.random() < 0.8 and follow_up_on < DEMO_TODAY
            if not sent_baseline:
                continue
            self.accepted_assessment(code, MaturityAssessment.Kind.BASELINE, baseline_on, baseline)
            if sent_follow_up:
                self.accepted_assessment(
                    code, MaturityAssessment.Kind.FOLLOW_UP, follow_up_on, follow_up
                )
        self.save_queued()

    def accepted_assessment(self, code: str, kind: str, assessed_on: date, scores: list[int]):
        submitted_on = min(assessed_on + timedelta(days=self.rng.randint(0, 7)), YESTERDAY)
        reviewed_on = min(submitted_on + timedelta(days=self.rng.randint(2, 14)), YESTERDAY)
        assessment = MaturityAssessment(
            council=self.councils[code],
            kind=kind,
            assessed_on=assessed_on,
            status=MaturityAssessment.Status.ACCEPTED,
            submitted_by=self.sros[code],
            submitted_at=london(submitted_on, time(10)),
            reviewed_by=self.managing_staff(code, reviewed_on),
            reviewed_at=london(reviewed_on, time(15)),
        )
        self.add_later(assessment)
        for area, score in zip(self.areas, scores, strict=True):
            self.add_later(MaturityScore(assessment=assessment, area=area, score=score))

    def seed_outbox(self):
        """The emails the programme sent: each SRO's welcome and each learner's cohort place."""
        for code, council in self.councils.items():
            sro = self.sros[code]
            self.add_later(
                sent_email(
                    key=f"sro_welcome:{council.pk}:{sro.pk}",
                    purpose=OutboundEmail.Purpose.SRO_WELCOME,
                    to_email=sro.email,
                    subject="Welcome to the Contract Management Pioneer Programme",
                    body=f"You are the senior responsible owner for {council.name}.",
                    on=council.onboarded_on,
                )
            )
        for learner, journey, cohort in self.written_learners:
            self.add_later(
                sent_email(
                    key=f"enrolment:{learner.pk}:{cohort.pk}",
                    purpose=OutboundEmail.Purpose.ENROLMENT,
                    to_email=learner.email,
                    subject=f"Your place in {cohort.name}",
                    body=f"You have a place in {cohort.name}, from {cohort.starts_on:%d %B %Y}.",
                    on=journey.enrolled_on,
                )
            )
        self.save_queued()

    # Bookkeeping shared with the demo's methods

    def seed_learner(self, number, code, level_slug, journey, cohort):
        """As the demo's, remembering which council and number each email has."""
        super().seed_learner(number, code, level_slug, journey, cohort)
        learner = self.new_learners[-1][0]
        self.learner_numbers[learner.email] = number

    @property
    def learner_numbers(self) -> dict[str, int]:
        if not hasattr(self, "_learner_numbers"):
            self._learner_numbers = {}
        return self._learner_numbers

    def record_journeys(self):
        self.written_learners = list(self.new_learners)
        super().record_journeys()

    def date_learners_past(self):
        """As the demo dates them (record and first history row the day they joined, then a
        row dated the change for those whose status changed since), with one UPDATE a day and
        one a status rather than `bulk_update`'s CASE a learner, which is slow at this scale."""
        analyze(Learner)
        learners = [learner for learner, _, _ in self.new_learners]
        by_day: dict[datetime, list[int]] = defaultdict(list)
        for learner, journey, _ in self.new_learners:
            learner.created_at = learner._history_date = london(journey.joined_on, RECORDED_AT)
            by_day[learner.created_at].append(learner.pk)
        for created_at, pks in by_day.items():
            Learner.objects.filter(pk__in=pks).update(created_at=created_at)
        Learner.history.bulk_history_create(learners, batch_size=BATCH)
        changed, by_status = [], defaultdict(list)
        for learner, journey, _ in self.new_learners:
            if journey.status != learner.status:
                learner.status = journey.status
                learner._history_date = london(journey.status_since, RECORDED_AT)
                changed.append(learner)
                by_status[journey.status].append(learner.pk)
        for status, pks in by_status.items():
            Learner.objects.filter(pk__in=pks).update(status=status)
        Learner.history.bulk_history_create(changed, batch_size=BATCH, update=True)
        for learner in learners:
            del learner._history_date  # a later save is dated when it happens

    def save_queued(self):
        """The demo's bulk inserts, in larger batches, each table then analysed."""
        for model, rows in self.new_rows.items():
            if hasattr(model, "history"):
                bulk_create_with_history(rows, model, batch_size=BATCH)
            else:
                model.objects.bulk_create(rows, batch_size=BATCH)
            analyze(model)
        self.new_rows = {}


def analyze(model):
    """PostgreSQL plans the queries that follow (the learners' stored progress, refreshed in
    one UPDATE, above all) from the rows just inserted, not from an empty table: without it that
    UPDATE alone takes a minute at 20,000 learners."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table]
    if hasattr(model, "history"):
        tables.append(model.history.model._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def sent_email(*, key, purpose, to_email, subject, body, on: date) -> OutboundEmail:
    sent_at = london(on, time(9, 5))
    return OutboundEmail(
        key=key,
        purpose=purpose,
        to_email=to_email,
        subject=subject,
        body_text=body,
        status=OutboundEmail.Status.SENT,
        attempts=1,
        next_attempt_at=sent_at,
        sent_at=sent_at,
    )
