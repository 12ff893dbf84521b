"""`seed_demo`: a deterministic demo programme of councils, cohorts, learners and networks."""

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from cmpp.accounts.models import Organisation, StaffMembership, User
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
from councils.services import council_hand_over
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    Nomination,
    ResultSource,
    StepProgress,
)
from learners.services import nomination_create
from networks.models import (
    MeetingAttendance,
    Network,
    NetworkMeeting,
    NetworkMembership,
    NetworkResource,
)

SEED = 2021
# Every date is fixed relative to this day, not the clock, so each run builds the same programme.
DEMO_TODAY = date(2026, 11, 22)
YESTERDAY = DEMO_TODAY - timedelta(days=1)
DEMO_PASSWORD = "cmpp-demo-2026"  # noqa: S105 - published in DESIGN.md for the demo logins
LONDON = ZoneInfo("Europe/London")

# Local Partnerships took over managing newly onboarded councils from DLUHC in mid-2023.
LOCAL_PARTNERSHIPS_FROM = date(2023, 7, 1)
NETWORKS_LAUNCHED = date(2022, 1, 10)
MARKING_DAYS = 21
# Only learners from recent cohorts are still waiting to resit; older ones have moved on.
RESITS_FROM = date(2024, 9, 1)

WARWICKSHIRE = "E10000031"
READING = "E06000038"

# name, ONS code, council type, region, LGA priority; keyed by the day the intake was onboarded
# (None: applied, not yet onboarded).
INTAKES = {
    date(2021, 10, 4): [
        ("Warwickshire County Council", WARWICKSHIRE, "county", "west_midlands", False),
        ("Reading Borough Council", READING, "unitary", "south_east", False),
        ("Stoke-on-Trent City Council", "E06000021", "unitary", "west_midlands", True),
        ("Middlesbrough Council", "E06000002", "unitary", "north_east", True),
        ("Kirklees Council", "E08000034", "metropolitan", "yorkshire", False),
        ("Lancashire County Council", "E10000017", "county", "north_west", False),
        ("London Borough of Croydon", "E09000008", "london_borough", "london", True),
        ("Nottingham City Council", "E06000018", "unitary", "east_midlands", True),
        ("Plymouth City Council", "E06000026", "unitary", "south_west", False),
        ("Norfolk County Council", "E10000020", "county", "east", False),
        ("Slough Borough Council", "E06000039", "unitary", "south_east", True),
    ],
    date(2022, 4, 4): [
        ("Kent County Council", "E10000016", "county", "south_east", False),
        ("Blackpool Council", "E06000009", "unitary", "north_west", True),
        ("City of Wolverhampton Council", "E08000031", "metropolitan", "west_midlands", False),
        ("City of Doncaster Council", "E08000017", "metropolitan", "yorkshire", True),
        ("Derby City Council", "E06000015", "unitary", "east_midlands", False),
        ("Thurrock Council", "E06000034", "unitary", "east", True),
        ("Bristol City Council", "E06000023", "unitary", "south_west", False),
        ("London Borough of Hackney", "E09000012", "london_borough", "london", False),
        ("Rochdale Borough Council", "E08000005", "metropolitan", "north_west", True),
    ],
    date(2022, 10, 3): [
        ("Lincolnshire County Council", "E10000019", "county", "east_midlands", False),
        ("Torbay Council", "E06000027", "unitary", "south_west", True),
        ("Knowsley Metropolitan Borough Council", "E08000011", "metropolitan", "north_west", True),
        (
            "Sandwell Metropolitan Borough Council",
            "E08000028",
            "metropolitan",
            "west_midlands",
            True,
        ),
        ("Peterborough City Council", "E06000031", "unitary", "east", False),
        ("Surrey County Council", "E10000030", "county", "south_east", False),
        ("Kingston upon Hull City Council", "E06000010", "unitary", "yorkshire", True),
    ],
    date(2023, 4, 3): [
        ("Hartlepool Borough Council", "E06000001", "unitary", "north_east", True),
        ("Cornwall Council", "E06000052", "unitary", "south_west", False),
        ("Coventry City Council", "E08000026", "metropolitan", "west_midlands", False),
        ("Luton Borough Council", "E06000032", "unitary", "east", False),
        ("Barnsley Metropolitan Borough Council", "E08000016", "metropolitan", "yorkshire", False),
        ("Leicestershire County Council", "E10000018", "county", "east_midlands", False),
        ("Wirral Council", "E08000015", "metropolitan", "north_west", False),
    ],
    date(2023, 10, 2): [
        (
            "City of Bradford Metropolitan District Council",
            "E08000032",
            "metropolitan",
            "yorkshire",
            True,
        ),
        ("Medway Council", "E06000035", "unitary", "south_east", False),
        ("Walsall Council", "E08000030", "metropolitan", "west_midlands", False),
        ("Gloucestershire County Council", "E10000013", "county", "south_west", False),
    ],
    date(2024, 4, 8): [
        ("Oldham Council", "E08000004", "metropolitan", "north_west", True),
        ("Southampton City Council", "E06000045", "unitary", "south_east", False),
        ("North East Lincolnshire Council", "E06000012", "unitary", "yorkshire", True),
    ],
    date(2024, 10, 7): [
        ("Essex County Council", "E10000012", "county", "east", False),
        ("London Borough of Newham", "E09000025", "london_borough", "london", True),
        ("Redcar and Cleveland Borough Council", "E06000003", "unitary", "north_east", False),
    ],
    date(2025, 4, 7): [
        ("Herefordshire Council", "E06000019", "unitary", "west_midlands", False),
        ("Derbyshire County Council", "E10000007", "county", "east_midlands", False),
    ],
    date(2025, 10, 6): [
        ("Portsmouth City Council", "E06000044", "unitary", "south_east", False),
        ("Gateshead Council", "E08000037", "metropolitan", "north_east", False),
    ],
    date(2026, 4, 13): [
        ("Northumberland County Council", "E06000057", "unitary", "north_east", False),
        ("Swindon Borough Council", "E06000030", "unitary", "south_west", False),
    ],
    date(2026, 10, 5): [
        ("Devon County Council", "E10000008", "county", "south_west", False),
        ("London Borough of Tower Hamlets", "E09000030", "london_borough", "london", True),
        ("Shropshire Council", "E06000051", "unitary", "west_midlands", False),
    ],
    None: [
        ("Birmingham City Council", "E08000025", "metropolitan", "west_midlands", True),
        ("Woking Borough Council", "E07000217", "district", "south_east", False),
        ("Nottinghamshire County Council", "E10000024", "county", "east_midlands", False),
    ],
}
WITHDRAWN_COUNCILS = {"E06000034", "E10000030"}
# Councils DLUHC onboarded and later handed to Local Partnerships for more intensive support.
HAND_OVERS = {
    "E06000021": date(2024, 4, 1),
    "E06000027": date(2024, 4, 1),
    "E06000009": date(2024, 7, 1),
}
FUNDED_PLACES = {WARWICKSHIRE: 12, READING: 10}
# A council may nominate a few more learners than its funded places (Foundation is unfunded).
EXTRA_NOMINATIONS = 2


class CouncilFacts(NamedTuple):
    """What the seed decided about a council, so later choices never depend on edited rows."""

    name: str
    onboarded_on: date | None
    status: str
    funded_places: int


LEVEL_OF_COHORT_PREFIX = {"FOUN": "foundation", "PRAC": "practitioner", "EXP": "expert"}


class CohortSpec(NamedTuple):
    code: str
    starts_on: date
    ends_on: date
    capacity: int
    delivered_by: str
    venue: str  # empty: online
    learners: int  # demo learners placed in it

    @property
    def level(self) -> str:
        return LEVEL_OF_COHORT_PREFIX[self.code.split("-")[0]]


LONDON_VENUE = "Local Government Association, 18 Smith Square, London"
BIRMINGHAM_VENUE = "The Council House, Victoria Square, Birmingham"
MANCHESTER_VENUE = "Manchester Central Library, St Peter's Square, Manchester"
LEEDS_VENUE = "Leeds Civic Hall, Calverley Street, Leeds"
LP = "local-partnerships"

D = date
COHORTS = [
    CohortSpec("PRAC-2111-1", D(2021, 11, 8), D(2022, 7, 29), 40, "gcc", "", 18),
    CohortSpec("FOUN-2203-1", D(2022, 3, 7), D(2022, 9, 30), 60, "gcc", "", 14),
    CohortSpec("PRAC-2205-1", D(2022, 5, 9), D(2023, 1, 27), 40, "gcc", "", 20),
    CohortSpec("PRAC-2302-1", D(2023, 2, 6), D(2023, 10, 27), 45, "gcc", LONDON_VENUE, 22),
    CohortSpec("EXP-2309-1", D(2023, 9, 11), D(2024, 5, 31), 30, "gcc", LONDON_VENUE, 10),
    CohortSpec("PRAC-2401-1", D(2024, 1, 15), D(2024, 9, 27), 50, "gcc", BIRMINGHAM_VENUE, 22),
    CohortSpec("PRAC-2409-1", D(2024, 9, 16), D(2025, 5, 30), 50, LP, MANCHESTER_VENUE, 22),
    CohortSpec("FOUN-2502-1", D(2025, 2, 3), D(2025, 9, 26), 60, "gcc", "", 14),
    CohortSpec("PRAC-2505-1", D(2025, 5, 12), D(2026, 1, 30), 50, "gcc", LEEDS_VENUE, 24),
    CohortSpec("PRAC-2603-1", D(2026, 3, 2), D(2026, 12, 18), 60, "gcc", BIRMINGHAM_VENUE, 55),
    CohortSpec("EXP-2605-1", D(2026, 5, 11), D(2027, 3, 26), 30, "gcc", LONDON_VENUE, 22),
    CohortSpec("PRAC-2609-1", D(2026, 9, 14), D(2027, 6, 25), 60, "gcc", LONDON_VENUE, 55),
    CohortSpec("FOUN-2610-1", D(2026, 10, 5), D(2027, 4, 30), 60, "gcc", "", 30),
    CohortSpec("PRAC-2610-1", D(2026, 10, 19), D(2027, 7, 30), 40, LP, "", 38),
    CohortSpec("PRAC-2703-1", D(2027, 3, 1), D(2027, 11, 26), 60, "gcc", MANCHESTER_VENUE, 25),
]
DEMO_LEARNER_COHORT = "PRAC-2609-1"
# Nominated learners the programme has not yet placed in a cohort.
UNPLACED_NOMINEES = 8

FIRST_NAMES = [
    "Amelia", "Olivia", "Emily", "Sophie", "Jessica", "Charlotte", "Hannah", "Lucy", "Rebecca",
    "Laura", "Sarah", "Emma", "Rachel", "Helen", "Claire", "Katie", "Natalie", "Priya", "Aisha",
    "Fatima", "Zara", "Grace", "Chloe", "Megan", "Joanne", "Nicola", "Karen", "Gemma", "Siobhan",
    "Bethany", "Oliver", "Jack", "Harry", "George", "James", "Thomas", "William", "Daniel",
    "Matthew", "Andrew", "David", "Richard", "Mark", "Paul", "Stephen", "Michael", "Christopher",
    "Robert", "Adam", "Samuel", "Benjamin", "Luke", "Ryan", "Mohammed", "Imran", "Rajesh", "Arjun",
    "Kwame", "Tomasz", "Gareth", "Owen", "Rhys", "Callum", "Ian", "Simon", "Neil", "Gary",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "Scott", "Phillips", "Watson", "Parker", "Price", "Bennett", "Young",
    "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell",
    "Shaw", "Murphy", "Miller", "Cox", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams",
    "Singh", "Begum", "Ali", "Hussain", "Ahmed", "Shah", "Okafor", "Mensah", "Nowak", "O'Brien",
    "Campbell", "Stewart", "Chapman", "Webb", "Fletcher", "Holmes", "Pearson", "Dixon", "Lloyd",
]  # fmt: skip
JOB_TITLES = {
    "foundation": [
        "Contracts Officer", "Contract Monitoring Officer", "Commissioning Officer",
        "Procurement Officer", "Quality Assurance Officer",
    ],
    "practitioner": [
        "Contract Manager", "Senior Contracts Officer", "Commissioning Manager", "Procurement Lead",
        "Category Manager", "Senior Commissioning Officer", "Contracts and Performance Manager",
    ],
    "expert": [
        "Head of Procurement", "Head of Commercial Services", "Strategic Commissioning Manager",
        "Commercial Manager", "Assistant Director, Commissioning",
    ],
}  # fmt: skip
GRADES = {
    "foundation": ["Scale 6", "SO1", "Grade 7", "Band 6"],
    "practitioner": ["SO2", "PO1", "PO2", "Grade 8", "Grade 9", "Band 8"],
    "expert": ["PO4", "PO6", "Grade 11", "Band 11", "Hay C"],
}
TARGET_LEVEL_WEIGHTS = {"foundation": 20, "practitioner": 70, "expert": 10}
WITHDRAWAL_REASONS = [
    "Left the council.",
    "Moved to a role without contract management responsibilities.",
    "Workload did not allow time for the programme.",
    "Service restructure; post deleted.",
]
DEFERRAL_REASONS = [
    "Parental leave; will rejoin a later cohort.",
    "Long-term sickness absence.",
    "Covering a vacant post during a service restructure.",
    "Leading a major re-procurement this year.",
]
CPD_ACTIVITIES = [
    "Learners Network meeting",
    "Read the NAO's good practice guide on managing the commercial lifecycle",
    "Supplier relationship management webinar",
    "Mentored a colleague preparing their first contract management plan",
    "Procurement Act 2023 contract management training",
    "Peer review of another council's contract register",
    "Local Partnerships contract management masterclass",
    "Reviewed supplier financial health reports with finance colleagues",
]
CPD_HOURS = [Decimal(h) for h in ("1.0", "1.5", "2.0", "3.0", "3.5", "6.0", "7.0")]

DEMO_STAFF = [
    # email, first name, last name, organisation slug, role
    ("staff@dluhc.example.gov.uk", "Priya", "Sharma", "dluhc", "programme_staff"),
    ("staff@localpartnerships.example.org.uk", "Tom", "Hughes", "local-partnerships",
     "programme_staff"),
    ("viewer@ccs.example.gov.uk", "Claire", "Morgan", "ccs", "programme_viewer"),
]  # fmt: skip
DEMO_SRO_NAMES = {WARWICKSHIRE: ("Helen", "Baxter"), READING: ("David", "Okoro")}
DEMO_LEARNER = ("learner@reading.example.gov.uk", "Hannah", "Price")
DEMO_LOGINS = [
    ("staff@dluhc.example.gov.uk", "Programme staff, DLUHC (MHCLG)"),
    ("staff@localpartnerships.example.org.uk", "Programme staff, Local Partnerships"),
    ("viewer@ccs.example.gov.uk", "Programme viewer, Crown Commercial Service"),
    ("sro@warwickshire.example.gov.uk", "SRO, Warwickshire County Council"),
    ("sro@reading.example.gov.uk", "SRO, Reading Borough Council"),
    ("learner@reading.example.gov.uk", "Practitioner learner, Reading Borough Council"),
]

MEETING_THEMES = {
    "sro-network": [
        "Making contract management a corporate priority",
        "Managing the risk of supplier failure",
        "What the Public Accounts Committee expects of councils",
        "Social value after the contract is signed",
        "Contract management in adult social care",
        "Preparing for the Procurement Act 2023",
        "Using data to hold suppliers to account",
        "Building a contract management career path",
    ],
    "learners-network": [
        "Writing a contract management plan that gets used",
        "Running a good contract review meeting",
        "Handling a dispute before it escalates",
        "Measuring supplier performance that matters",
        "Contract changes and variations",
        "Exit planning and re-procurement",
        "Preparing for the Practitioner assessment",
        "Working with finance on open-book contracts",
    ],
}
RESOURCES = {
    "sro-network": [
        ("Contract Management Professional Standards",
         "https://www.gov.uk/government/publications/contract-management-professional-standards",
         "The standards behind Foundation, Practitioner and Expert accreditation.", D(2022, 2, 14)),
        ("The Sourcing Playbook",
         "https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks",
         "Government guidance on sourcing, delivery model assessments and market health.",
         D(2022, 6, 20)),
        ("National Procurement Strategy for Local Government in England 2022",
         "https://www.local.gov.uk/publications/national-procurement-strategy-local-government"
         "-england-2022",
         "The LGA's strategy, including its contract management ambitions.", D(2022, 11, 7)),
        ("Procurement Act 2023: guidance documents",
         "https://www.gov.uk/government/collections/procurement-act-2023-guidance-documents",
         "Guidance on the new regime, including contract management and performance notices.",
         D(2024, 5, 13)),
        ("Contract management: an SRO's checklist",
         "https://www.local.gov.uk/our-support/procurement/contract-management",
         "Questions an SRO can ask to test their council's contract management.", D(2025, 3, 3)),
    ],
    "learners-network": [
        ("Contract management plan template",
         "https://www.gov.uk/government/publications/contract-management-professional-standards",
         "A plan template learners used in Workshop 1, with worked examples.", D(2022, 1, 24)),
        ("Managing supplier performance: key performance indicators",
         "https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks",
         "How to choose a small set of indicators that drive the right behaviour.",
         D(2022, 9, 12)),
        ("Procurement Act 2023: managing contracts",
         "https://www.gov.uk/government/collections/procurement-act-2023-guidance-documents",
         "What changes for contract managers: KPIs, performance notices and modifications.",
         D(2024, 6, 17)),
        ("Local government contract management case studies",
         "https://www.local.gov.uk/our-support/procurement/contract-management",
         "How councils have improved contract management, in their own words.", D(2025, 1, 20)),
        ("Preparing for the Practitioner assessment",
         "https://www.gov.uk/government/organisations/government-commercial-college",
         "Recording and slides from the Learners Network session on assessment preparation.",
         D(2026, 6, 8)),
    ],
}  # fmt: skip
SUPPORT_WORK = [
    # title, objectives, outcomes when completed
    ("Contract management maturity review",
     "Review how the council manages its top 20 contracts and agree an improvement plan.",
     "Improvement plan agreed by the corporate leadership team; contract owners named."),
    ("Contract register and tiering",
     "Build a complete contract register and tier contracts by value, risk and complexity.",
     "Register of 412 contracts published internally; gold-tier contracts have plans."),
    ("Highways term contract performance reset",
     "Rework the KPIs and governance of the highways term maintenance contract.",
     "Eight new KPIs agreed with the supplier; quarterly strategic reviews in place."),
    ("Adult social care supplier risk review",
     "Assess financial and delivery risk among home care providers and plan for failure.",
     "Risk ratings for 37 providers; provider failure playbook tested in an exercise."),
    ("Waste collection contract renegotiation",
     "Support the council through the mid-term review of its waste collection contract.",
     "Variation agreed, saving an estimated £1.2m over the remaining term."),
    ("Contract management operating model",
     "Design a corporate contract management function and the roles within it.",
     "Operating model approved by cabinet; two contract manager posts recruited."),
    ("Leisure services contract exit planning",
     "Prepare an exit plan ahead of the leisure management contract's expiry.",
     "Exit plan and asset register handed to the re-procurement team."),
]  # fmt: skip
CLOSED_EARLY_OUTCOME = (
    "Closed early at the council's request after a change of leadership; "
    "the work was handed to the council's own commercial team."
)
SUPPORTED_COUNCILS = 15
SUPPORT_BEGAN = date(2022, 4, 1)
# nth weekday of January, April, July and October; and the start time
MEETING_PATTERN = {"sro-network": (2, 3, time(14)), "learners-network": (3, 1, time(12, 30))}
MEETINGS_UNTIL = date(2027, 4, 30)
ATTENDANCE = [
    MeetingAttendance.Status.ATTENDED,
    MeetingAttendance.Status.APOLOGIES,
    MeetingAttendance.Status.ABSENT,
]
ATTENDANCE_WEIGHTS = [65, 20, 15]
SCORE_WEIGHTS = [30, 40, 22, 7, 1]  # baseline maturity scores 1 to 5: mostly 1 to 3
IMPROVEMENTS = [-1, 0, 1, 2]
IMPROVEMENT_WEIGHTS = [5, 30, 50, 15]


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


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


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
    ended_on: date | None = None
    reason: str = ""
    completed: Schedule = field(default_factory=list)
    attempts: list[tuple[date, str, date | None]] = field(default_factory=list)
    accredited_on: date | None = None
    cpd: list[tuple[date, Decimal, str]] = field(default_factory=list)

    @property
    def last_progress_on(self) -> date | None:
        return max((on for _, on in self.completed), default=None)


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
    waiting = rng.random() < 0.2
    return Journey(
        status=Learner.Status.NOMINATED,
        enrolment_status=Enrolment.Status.WAITING if waiting else Enrolment.Status.ENROLLED,
        enrolled_on=DEMO_TODAY - timedelta(days=rng.randint(5, 60)),
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


def step_source(step: LevelStep) -> str:
    if step.kind == LevelStep.Kind.WORKSHOP:
        return ResultSource.ATTENDANCE
    if step.kind == LevelStep.Kind.ASSESSMENT:
        return ResultSource.COLLEGE
    return ResultSource.PORTAL


def ensure_user(email: str, first_name: str, last_name: str, *, password=None) -> User:
    """Find or create a user; demo logins always get the published password back."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # No password means an unusable one: the person has not accepted an invitation yet.
        return User.objects.create_user(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


class DemoProgramme:
    """Builds the demo programme. Every random draw happens whatever the database already holds,
    so a second run makes the same choices, finds the rows it made, and adds nothing."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.organisations = {org.slug: org for org in Organisation.objects.all()}
        self.levels = {level.slug: level for level in AccreditationLevel.objects.all()}
        self.councils: dict[str, Council] = {}
        self.facts: dict[str, CouncilFacts] = {}
        self.sros: dict[str, User] = {}
        self.cohorts: dict[str, Cohort] = {}
        self.schedules: dict[str, Schedule] = {}
        self.new_rows: dict[type, list] = {}

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

    # Staff and councils

    def seed_programme_staff(self):
        for email, first_name, last_name, slug, role in DEMO_STAFF:
            user = ensure_user(email, first_name, last_name, password=DEMO_PASSWORD)
            StaffMembership.objects.get_or_create(
                user=user, organisation=self.organisations[slug], defaults={"role": role}
            )
        self.dluhc_staff = User.objects.get(email="staff@dluhc.example.gov.uk")
        self.local_partnerships_staff = User.objects.get(
            email="staff@localpartnerships.example.org.uk"
        )

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
                council, _ = Council.objects.get_or_create(
                    code=code,
                    defaults={
                        **facts._asdict(),
                        "council_type": council_type,
                        "region": region,
                        "nation": Council.Nation.ENGLAND,
                        "lga_priority": lga_priority,
                    },
                )
                self.councils[code] = council
                self.facts[code] = facts
                if onboarded_on:
                    self.seed_first_managing_body(council, onboarded_on)
                self.seed_sro(council)
        local_partnerships = self.organisations["local-partnerships"]
        for code, handed_over_on in HAND_OVERS.items():
            council_hand_over(
                council=self.councils[code],
                to_organisation=local_partnerships,
                on=handed_over_on,
                acting_user=self.dluhc_staff,
            )

    def seed_first_managing_body(self, council: Council, onboarded_on: date):
        slug = "dluhc" if onboarded_on < LOCAL_PARTNERSHIPS_FROM else "local-partnerships"
        ManagingBodyPeriod.objects.get_or_create(
            council=council,
            starts_on=onboarded_on,
            defaults={"organisation": self.organisations[slug]},
        )

    def seed_sro(self, council: Council):
        first_name, last_name = self.person()
        password = None
        if council.code in DEMO_SRO_NAMES:
            first_name, last_name = DEMO_SRO_NAMES[council.code]
            password = DEMO_PASSWORD
        email = f"sro@{council_slug(self.facts[council.code].name)}.example.gov.uk"
        user = ensure_user(email, first_name, last_name, password=password)
        CouncilRole.objects.get_or_create(council=council, user=user, role=CouncilRole.Role.SRO)
        self.sros[council.code] = user

    # Cohorts and learners

    def seed_cohorts(self):
        for spec in COHORTS:
            level = self.levels[spec.level]
            cohort, created = Cohort.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": f"{level.name} cohort, {spec.starts_on:%B %Y}",
                    "level": level,
                    "starts_on": spec.starts_on,
                    "ends_on": spec.ends_on,
                    "capacity": spec.capacity,
                    "delivery_organisation": self.organisations[spec.delivered_by],
                    "status": cohort_status(spec.starts_on, spec.ends_on),
                },
            )
            steps = list(level.steps.filter(is_active=True).order_by("order"))
            self.cohorts[spec.code] = cohort
            self.schedules[spec.code] = plan_steps(spec, steps)
            if created:
                self.seed_sessions(cohort, spec.venue)
        self.save_queued()

    def seed_sessions(self, cohort: Cohort, venue: str):
        """A launch webinar, then each workshop step in the venue, or online."""
        launch_day = cohort.starts_on + timedelta(days=1)
        self.add_session(cohort, None, "Cohort launch webinar", launch_day, time(11, 30), "")
        for step, day in self.schedules[cohort.code]:
            if step.kind == LevelStep.Kind.WORKSHOP:
                self.add_session(cohort, step, step.name, day, time(13, 30), venue)

    def add_session(self, cohort, step, title, day, ends, venue):
        online_url = ""
        if not venue:
            online_url = (
                f"https://events.example.gov.uk/cmpp/{cohort.code.lower()}/{slugify(title)}"
            )
        self.add_later(
            CohortSession(
                cohort=cohort,
                step=step,
                title=title,
                starts_at=london(day, time(10)),
                ends_at=london(day, ends),
                location=venue or "Online",
                online_url=online_url,
            )
        )

    def seed_learners(self):
        """Fill each cohort's places from councils onboarded by its start, within their quota."""
        quotas = {
            code: facts.funded_places + EXTRA_NOMINATIONS
            for code, facts in self.facts.items()
            if facts.status in (Council.Status.ACTIVE, Council.Status.ONBOARDED)
        }
        quotas[READING] -= 1  # kept for the demo learner
        number = 0
        for spec in COHORTS:
            for _ in range(spec.learners):
                number += 1
                code = self.pick_council(quotas, onboarded_by=spec.starts_on)
                journey = self.journey_in(spec)
                self.seed_learner(number, code, spec.level, journey, self.cohorts[spec.code])
        for _ in range(UNPLACED_NOMINEES):
            number += 1
            code = self.pick_council(quotas, onboarded_by=DEMO_TODAY)
            level = self.rng.choices(
                list(TARGET_LEVEL_WEIGHTS), weights=list(TARGET_LEVEL_WEIGHTS.values())
            )[0]
            self.seed_learner(number, code, level, Journey(status=Learner.Status.NOMINATED), None)
        self.seed_demo_learner()
        self.save_queued()

    def seed_nominations(self):
        """Reading's SRO has two nominations waiting: a new officer, and one whose address is
        already a Warwickshire learner's, which staff see on the nomination's page."""
        reading = self.councils["E06000038"]
        already = Learner.objects.filter(council=self.councils["E10000031"]).order_by("pk").first()
        for first_name, last_name, email in (
            ("Priya", "Shah", "priya.shah@reading.example.gov.uk"),
            (already.first_name, already.last_name, already.email),
        ):
            if not Nomination.objects.filter(council=reading, email=email).exists():
                nomination_create(
                    council=reading,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    job_title="Contract manager",
                    target_level=self.levels["practitioner"],
                    acting_user=self.sros["E06000038"],
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
        """Part-way through a running Practitioner cohort whose next workshops are ahead."""
        email, first_name, last_name = DEMO_LEARNER
        user = ensure_user(email, first_name, last_name, password=DEMO_PASSWORD)
        schedule = self.schedules[DEMO_LEARNER_COHORT]
        journey = Journey(
            status=Learner.Status.ACTIVE,
            enrolment_status=Enrolment.Status.ENROLLED,
            enrolled_on=date(2026, 8, 24),
            completed=[(schedule[0][0], date(2026, 9, 29)), (schedule[1][0], date(2026, 11, 3))],
        )
        learner = self.save_learner(
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
        if learner.user_id != user.pk:
            learner.user = user
            learner.save(update_fields=["user", "updated_at"])
        self.demo_learner = learner

    def save_learner(self, *, email, details, journey, cohort) -> Learner:
        learner, created = Learner.objects.get_or_create(
            email=email,
            defaults={
                **details,
                "status": journey.status,
                "last_progress_on": journey.last_progress_on,
            },
        )
        if created:
            self.record_journey(learner, journey, cohort)
        return learner

    def record_journey(self, learner: Learner, journey: Journey, cohort: Cohort | None):
        level = learner.target_level
        if cohort is not None:
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
            self.add_later(
                StepProgress(
                    learner=learner,
                    step=step,
                    status=StepProgress.Status.COMPLETED,
                    completed_on=completed_on,
                    source=step_source(step),
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
            renewal_due = None
            if level.renewal_months:
                renewal_due = add_months(journey.accredited_on, level.renewal_months)
            self.add_later(
                Accreditation(
                    learner=learner,
                    level=level,
                    achieved_on=journey.accredited_on,
                    renewal_due=renewal_due,
                    source=ResultSource.COLLEGE,
                )
            )
        for done_on, hours, activity in journey.cpd:
            self.add_later(
                CpdEntry(learner=learner, done_on=done_on, hours=hours, activity=activity)
            )

    # Networks, support and maturity

    def seed_networks(self):
        networks = {network.slug: network for network in Network.objects.all()}
        sro_members = []
        for code, facts in self.facts.items():
            if facts.status not in (Council.Status.ACTIVE, Council.Status.ONBOARDED):
                continue
            joined_on = facts.onboarded_on + timedelta(days=self.rng.randint(7, 42))
            joined_on = max(joined_on, NETWORKS_LAUNCHED)
            sro_members.append(self.join(networks["sro-network"], self.sros[code], code, joined_on))
        learner_members = [
            self.join(
                networks["learners-network"], self.demo_learner.user, READING, date(2026, 9, 21)
            )
        ]
        for slug, members in (("sro-network", sro_members), ("learners-network", learner_members)):
            self.seed_meetings(networks[slug], members)
            for title, url, description, published_on in RESOURCES[slug]:
                NetworkResource.objects.get_or_create(
                    network=networks[slug],
                    title=title,
                    defaults={"url": url, "description": description, "published_on": published_on},
                )
        self.save_queued()

    def join(self, network, user, code, joined_on) -> tuple[NetworkMembership, date]:
        membership, _ = NetworkMembership.objects.get_or_create(
            network=network,
            user=user,
            defaults={"council": self.councils[code], "joined_on": joined_on},
        )
        return membership, joined_on

    def seed_meetings(self, network: Network, members: list[tuple[NetworkMembership, date]]):
        """Quarterly since January 2022; the two in 2027 are still to come."""
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
                ]
            in_person = day.month == 7  # the summer meeting is held in person
            meeting, created = NetworkMeeting.objects.get_or_create(
                network=network,
                starts_at=london(day, starts),
                defaults={
                    "title": theme,
                    "location": LONDON_VENUE if in_person else "Online",
                    "online_url": (
                        ""
                        if in_person
                        else f"https://events.example.gov.uk/cmpp/{network.slug}/{day:%Y-%m}"
                    ),
                    "summary": f"Members discussed {theme[0].lower()}{theme[1:]}." if held else "",
                },
            )
            if created:
                for membership, status in attendance:
                    self.add_later(
                        MeetingAttendance(meeting=meeting, membership=membership, status=status)
                    )

    def seed_support_engagements(self):
        active = [code for code, f in self.facts.items() if f.status == Council.Status.ACTIVE]
        work = self.rng.sample(SUPPORT_WORK, len(SUPPORT_WORK))
        for index, code in enumerate(self.rng.sample(active, SUPPORTED_COUNCILS)):
            title, objectives, outcomes = work[index % len(work)]
            earliest = max(self.facts[code].onboarded_on + timedelta(days=90), SUPPORT_BEGAN)
            status, starts_on, ends_on = plan_support(self.rng, earliest)
            if status == SupportEngagement.Status.CLOSED:
                outcomes = CLOSED_EARLY_OUTCOME
            elif status != SupportEngagement.Status.COMPLETED:
                outcomes = ""
            # Local Partnerships' specialists arrived in 2023; planned work has none assigned yet.
            specialist = None
            if starts_on >= LOCAL_PARTNERSHIPS_FROM and status != SupportEngagement.Status.PLANNED:
                specialist = self.local_partnerships_staff
            SupportEngagement.objects.get_or_create(
                council=self.councils[code],
                title=title,
                defaults={
                    "objectives": objectives,
                    "status": status,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "outcomes": outcomes,
                    "specialist": specialist,
                },
            )

    def seed_maturity_assessments(self):
        """A baseline soon after onboarding; a follow-up a year or more later, mostly improved."""
        areas = list(MaturityArea.objects.order_by("order"))
        for code, facts in self.facts.items():
            if facts.onboarded_on is None:
                continue
            baseline_on = facts.onboarded_on + timedelta(days=self.rng.randint(14, 45))
            baseline_on = min(baseline_on, YESTERDAY)
            baseline = [self.rng.choices(range(1, 6), weights=SCORE_WEIGHTS)[0] for _ in areas]
            follow_up_on = baseline_on + timedelta(days=self.rng.randint(365, 540))
            follow_up = [
                min(5, max(1, score + self.rng.choices(IMPROVEMENTS, IMPROVEMENT_WEIGHTS)[0]))
                for score in baseline
            ]
            sent_baseline = self.rng.random() < 0.88
            sent_follow_up = self.rng.random() < 0.8 and follow_up_on < DEMO_TODAY
            if not sent_baseline:
                continue
            council = self.councils[code]
            self.seed_assessment(
                council, MaturityAssessment.Kind.BASELINE, baseline_on, areas, baseline
            )
            if sent_follow_up:
                self.seed_assessment(
                    council, MaturityAssessment.Kind.FOLLOW_UP, follow_up_on, areas, follow_up
                )
        self.save_queued()

    def seed_assessment(self, council, kind, assessed_on, areas, scores):
        assessment, created = MaturityAssessment.objects.get_or_create(
            council=council, kind=kind, defaults={"assessed_on": assessed_on}
        )
        if created:
            for area, score in zip(areas, scores, strict=True):
                self.add_later(MaturityScore(assessment=assessment, area=area, score=score))


class Command(BaseCommand):
    help = "Fill the portal with a deterministic demo programme. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any council exists (used by `make run`).",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Council.objects.exists():
            self.stdout.write("Councils already exist, so the demo data was left alone.")
            return
        with transaction.atomic():
            DemoProgramme(random.Random(SEED)).seed()
        self.stdout.write(self.style.SUCCESS("Demo programme ready."))
        self.stdout.write(
            f"  {Council.objects.count()} councils, {Learner.objects.count()} learners, "
            f"{Cohort.objects.count()} cohorts, {Accreditation.objects.count()} accreditations"
        )
        self.stdout.write(f"\nDemo logins, all with the password {DEMO_PASSWORD}:")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<40} {role}")
