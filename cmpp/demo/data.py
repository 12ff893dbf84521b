"""The demo programme's fixed data: councils and their intakes, cohorts, people's names, the demo
logins, and the weights the seed draws with. Constants only; `programme.py` builds from them."""

from datetime import date, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from networks.models import MeetingAttendance

SEED = 2021
# Every date is fixed relative to this day, not the clock, so each run builds the same programme.
DEMO_TODAY = date(2026, 11, 22)
YESTERDAY = DEMO_TODAY - timedelta(days=1)
DEMO_PASSWORD = "cmpp-demo-2026"  # noqa: S105 - published in the README for the demo logins
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
# Councils that left the programme, and why (staff give a reason when a council withdraws).
WITHDRAWN_COUNCILS = {
    "E06000034": "Section 114 notice: the council stopped all spending on training.",
    "E10000030": "The council chose to run its own contract management academy instead.",
}
# Councils DLUHC onboarded and later handed to Local Partnerships for more intensive support.
HAND_OVERS = {
    "E06000021": date(2024, 4, 1),
    "E06000027": date(2024, 4, 1),
    "E06000009": date(2024, 7, 1),
}
FUNDED_PLACES = {WARWICKSHIRE: 12, READING: 10}
# A council may nominate a few more learners than its funded places (Foundation is unfunded).
EXTRA_NOMINATIONS = 2

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
    # Full before it starts: the last five to join wait for a place.
    CohortSpec("PRAC-2703-1", D(2027, 3, 1), D(2027, 11, 26), 20, "gcc", MANCHESTER_VENUE, 25),
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
DEMO_LEARNER_ENROLLED_ON = date(2026, 8, 24)
# The days she completed her cohort's first two steps.
DEMO_LEARNER_PROGRESS = [date(2026, 9, 29), date(2026, 11, 3)]
DEMO_LEARNER_JOINED_NETWORK = date(2026, 9, 21)
# Reading's SRO nominated a new officer (first name, last name, email); their other nomination
# is of Warwickshire's first learner, whose record staff see on the nomination's page.
DEMO_NOMINEE = ("Priya", "Shah", "priya.shah@reading.example.gov.uk")
NOMINEE_JOB_TITLE = "Contract manager"
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


class ResourceSpec(NamedTuple):
    """A resource shared with a network: a link (`url`) or a document made at seed time
    (`file_name`, with `content`: paragraphs, or a CSV's rows). `shared_by` is a staff
    organisation's slug, or a council's code for its SRO."""

    title: str
    description: str
    published_on: date
    tags: str
    shared_by: str
    url: str = ""
    file_name: str = ""
    content: tuple = ()


R = ResourceSpec
RESOURCES = {
    "sro-network": [
        R("Contract Management Professional Standards",
          "The standards behind Foundation, Practitioner and Expert accreditation.",
          D(2022, 2, 14), "standards, accreditation", "dluhc",
          url="https://www.gov.uk/government/publications/contract-management-professional-standards"),
        R("SRO Network terms of reference",
          "What the network is for, who belongs to it and how often it meets.",
          D(2022, 3, 7), "governance, network", "dluhc",
          file_name="sro-network-terms-of-reference.pdf",
          content=(
              "The SRO Network brings together the senior responsible owners of the councils on "
              "the Contract Management Pioneer Programme.",
              "Members share what has worked in making contract management a corporate priority, "
              "and agree where the programme should focus next.",
              "The network meets online each quarter, and in person each summer. Deputies may "
              "attend in the SRO's place.",
          )),
        R("The Sourcing Playbook",
          "Government guidance on sourcing, delivery model assessments and market health.",
          D(2022, 6, 20), "guidance, sourcing", "dluhc",
          url="https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks"),
        R("National Procurement Strategy for Local Government in England 2022",
          "The LGA's strategy, including its contract management ambitions.",
          D(2022, 11, 7), "strategy, local government", "dluhc",
          url="https://www.local.gov.uk/publications/national-procurement-strategy-local-government"
              "-england-2022"),
        R("Contract register tiering template",
          "The spreadsheet Warwickshire uses to tier its contracts by value, risk and complexity.",
          D(2023, 11, 20), "contract register, template", WARWICKSHIRE,
          file_name="contract-register-tiering-template.csv",
          content=(
              ("contract_reference", "title", "supplier", "annual_value_gbp", "risk", "tier",
               "contract_manager"),
              ("WCC-0142", "Highways term maintenance", "Example Highways Ltd", "18500000", "high",
               "gold", "Highways commissioning lead"),
              ("WCC-0311", "Home care framework", "Various", "9200000", "high", "gold",
               "Adult social care commissioning manager"),
              ("WCC-0475", "Office cleaning", "Example Facilities Ltd", "410000", "low", "bronze",
               "Facilities manager"),
          )),
        R("Procurement Act 2023: guidance documents",
          "Guidance on the new regime, including contract management and performance notices.",
          D(2024, 5, 13), "Procurement Act 2023, guidance", "local-partnerships",
          url="https://www.gov.uk/government/collections/procurement-act-2023-guidance-documents"),
        R("Contract management: an SRO's checklist",
          "Questions an SRO can ask to test their council's contract management.",
          D(2025, 3, 3), "checklist, governance", "local-partnerships",
          url="https://www.local.gov.uk/our-support/procurement/contract-management"),
    ],
    "learners-network": [
        R("Contract management plan template",
          "A plan template learners used in Workshop 1, with worked examples.",
          D(2022, 1, 24), "template, planning", "dluhc",
          url="https://www.gov.uk/government/publications/contract-management-professional-standards"),
        R("Managing supplier performance: key performance indicators",
          "How to choose a small set of indicators that drive the right behaviour.",
          D(2022, 9, 12), "performance, KPIs", "dluhc",
          url="https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks"),
        R("Contract review meeting agenda",
          "An agenda for a quarterly review with a supplier, to adapt to your contract.",
          D(2023, 5, 15), "template, supplier meetings", "dluhc",
          file_name="contract-review-meeting-agenda.docx",
          content=(
              "1. Actions from the last review",
              "2. Performance against the key performance indicators",
              "3. Risks and issues, and who owns each",
              "4. Changes and variations requested or agreed",
              "5. Social value delivered this quarter",
              "6. Actions, owners and dates",
          )),
        R("Procurement Act 2023: managing contracts",
          "What changes for contract managers: KPIs, performance notices and modifications.",
          D(2024, 6, 17), "Procurement Act 2023, KPIs", "local-partnerships",
          url="https://www.gov.uk/government/collections/procurement-act-2023-guidance-documents"),
        R("Local government contract management case studies",
          "How councils have improved contract management, in their own words.",
          D(2025, 1, 20), "case studies", "local-partnerships",
          url="https://www.local.gov.uk/our-support/procurement/contract-management"),
        R("Preparing for the Practitioner assessment",
          "Recording and slides from the Learners Network session on assessment preparation.",
          D(2026, 6, 8), "assessment, Practitioner", "dluhc",
          url="https://www.gov.uk/government/organisations/government-commercial-college"),
        R("Practitioner assessment: revision checklist",
          "A one-page checklist of what the Practitioner assessment covers.",
          D(2026, 6, 15), "assessment, Practitioner, checklist", "dluhc",
          file_name="practitioner-assessment-revision-checklist.pdf",
          content=(
              "Know your contract: its outcomes, its key performance indicators and its "
              "remedies.",
              "Be ready to explain how you would handle a change, a dispute and a supplier in "
              "financial difficulty.",
              "Bring examples from your own contracts: the assessors ask what you did and why.",
          )),
    ],
}  # fmt: skip
SUPPORT_WORK = [
    # title, objectives, outcomes when completed, notes kept as the work went on
    ("Contract management maturity review",
     "Review how the council manages its top 20 contracts and agree an improvement plan.",
     "Improvement plan agreed by the corporate leadership team; contract owners named.",
     "Interviewed 14 contract owners. Most contracts have no named manager after award; the "
     "plan starts with the ten highest-risk contracts."),
    ("Contract register and tiering",
     "Build a complete contract register and tier contracts by value, risk and complexity.",
     "Register of 412 contracts published internally; gold-tier contracts have plans.",
     "Finance's payment data found 60 suppliers with no contract on the register; each has been "
     "traced to a service."),
    ("Highways term contract performance reset",
     "Rework the KPIs and governance of the highways term maintenance contract.",
     "Eight new KPIs agreed with the supplier; quarterly strategic reviews in place.",
     "The old contract had 46 KPIs and none tied to remedies. Workshops with the supplier agreed "
     "which matter to residents."),
    ("Adult social care supplier risk review",
     "Assess financial and delivery risk among home care providers and plan for failure.",
     "Risk ratings for 37 providers; provider failure playbook tested in an exercise.",
     "Financial health checks requested from every provider; three are on enhanced monitoring."),
    ("Waste collection contract renegotiation",
     "Support the council through the mid-term review of its waste collection contract.",
     "Variation agreed, saving an estimated £1.2m over the remaining term.",
     "Benchmarked the rates against four similar councils; the supplier accepted the evidence."),
    ("Contract management operating model",
     "Design a corporate contract management function and the roles within it.",
     "Operating model approved by cabinet; two contract manager posts recruited.",
     "Compared a central team with a hub and spoke model; services preferred the hub and spoke."),
    ("Leisure services contract exit planning",
     "Prepare an exit plan ahead of the leisure management contract's expiry.",
     "Exit plan and asset register handed to the re-procurement team.",
     "Asset condition surveys commissioned; staff transfer information requested early."),
]  # fmt: skip
PLANNED_SUPPORT_NOTE = "Scoping call held with the SRO; terms of reference agreed, start date set."
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
MEETING_MINUTES = {"sro-network": 90, "learners-network": 60}
IN_PERSON_MINUTES = 180
# A meeting that did not take place: (network, day) -> why, said on its page.
CANCELLED_MEETINGS = {
    ("sro-network", date(2024, 7, 11)): (
        "Cancelled: a week after the general election, members were needed at their councils. "
        "The agenda moved to October."
    ),
}
# Councils invited to a network that have not answered, or that declined, and when.
NETWORK_INVITED = {"sro-network": [("E06000051", date(2026, 11, 2))], "learners-network": []}
# New councils the Learners Network invited this autumn, not yet members.
LEARNERS_NETWORK_INVITES = 3
NETWORK_DECLINED = {
    "sro-network": [("E10000030", date(2022, 10, 17), date(2022, 11, 1))],
    "learners-network": [("E06000034", date(2022, 5, 9), date(2022, 5, 24))],
}
# Learners who accepted their invitation to the portal, and joined the Learners Network.
LEARNER_ACCOUNTS = 36
# Of them, the first to join the programme founded the Learners Network at its launch.
LEARNERS_NETWORK_FOUNDERS = 6
SCORE_WEIGHTS = [30, 40, 22, 7, 1]  # baseline maturity scores 1 to 5: mostly 1 to 3
IMPROVEMENTS = [-1, 0, 1, 2]
IMPROVEMENT_WEIGHTS = [5, 30, 50, 15]
# Councils whose follow-up showed no improvement overall (one area slipped).
MATURITY_STALLED = ["E06000039", "E09000008"]
# Reading's follow-up came back to its SRO to mend; Warwickshire's waits for staff to review.
MATURITY_RETURNED = (READING, date(2026, 10, 26), date(2026, 10, 30), date(2026, 11, 6))
MATURITY_RETURN_NOTE = (
    "Thank you. Please add the evidence behind the score of 4 for performance management: "
    "the KPI reports for two of your gold-tier contracts would do."
)
MATURITY_SUBMITTED = (WARWICKSHIRE, date(2026, 11, 12), date(2026, 11, 16))
MATURITY_DRAFT = "E09000030"  # onboarded in October: its baseline is still a draft
MATURITY_COMMENTS = {
    "Governance and leadership": "Contract management is now a standing item at the "
    "corporate leadership team.",
    "People and skills": "Six officers accredited at Practitioner; two more in the current cohort.",
    "Performance management": "Gold-tier contracts report monthly against agreed KPIs.",
}
