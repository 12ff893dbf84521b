"""Networks and maturity in the browser: DLUHC staff record a meeting of the SRO Network that has
already happened and take its register; Reading's SRO sees their council's attendance on their
home page, then fills in a follow-up maturity self-assessment; staff accept it, and the
dashboard's share of councils that improved their maturity goes from none to 100%."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from councils.models import MaturityArea, MaturityAssessment, MaturityScore
from networks import services as network_services
from networks.models import Network
from tests import factories

pytestmark = pytest.mark.browser

MEETING = "SRO Network: lessons from contract exits"
# Every maturity area is scored 2 at the baseline and 4 at the follow-up.
BASELINE_SCORE, FOLLOW_UP_SCORE = 2, 4


def sign_in(page, base_url: str, email: str) -> None:
    """Sign in through the real login page with the factories' password."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def follow_navigation(page, name: str) -> None:
    """Follow a link in the service navigation."""
    page.get_by_role("navigation", name="Portal").get_by_role("link", name=name).click()


def banner(page):
    return page.locator(".govuk-notification-banner")


def meeting_day():
    """Today, so the meeting from 12:05am to 12:35am has already started; yesterday when the
    test runs in the first minutes after midnight (London time)."""
    now = timezone.localtime()
    return now.date() if now.time() >= time(0, 10) else now.date() - timedelta(days=1)


def reading_in_the_sro_network(staff):
    """Reading Borough Council, managed by DLUHC, with its SRO; invited to and joined the SRO
    Network, so its SRO is a member."""
    reading = factories.CouncilFactory(name="Reading Borough Council", code="E06000038")
    sro = factories.CouncilRoleFactory(
        council=reading,
        user__email="sro@reading.test",
        user__first_name="Rhiannon",
        user__last_name="Reed",
    ).user
    network = Network.objects.get(slug="sro-network")
    place = network_services.network_council_invite(
        network=network, council=reading, acting_user=staff
    )
    assert network_services.network_council_join(place=place, acting_user=staff) == 1
    return reading, sro


def accepted_baseline(council, *, sro, staff) -> MaturityAssessment:
    """Last year's baseline self-assessment, accepted, every area scored the same."""
    year_ago = timezone.now() - timedelta(days=365)
    baseline = MaturityAssessment.objects.create(
        council=council,
        kind=MaturityAssessment.Kind.BASELINE,
        status=MaturityAssessment.Status.ACCEPTED,
        assessed_on=timezone.localdate(year_ago),
        submitted_by=sro,
        submitted_at=year_ago,
        reviewed_by=staff,
        reviewed_at=year_ago + timedelta(days=7),
    )
    MaturityScore.objects.bulk_create(
        MaturityScore(assessment=baseline, area=area, score=BASELINE_SCORE)
        for area in MaturityArea.objects.all()
    )
    return baseline


def maturity_on_dashboard(page, base_url: str) -> tuple:
    """The dashboard's headline figure for councils improved, and its summary row."""
    page.goto(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme overview")
    figure = page.locator(".cmpp-figure", has_text="of councils improved their maturity")
    summary = page.locator(".govuk-summary-list__row", has_text="Councils improved")
    return figure, summary


def schedule_past_meeting(page, day) -> None:
    """Fill in the meeting form for 12:05am to 12:35am on `day`, online, and save it."""
    page.get_by_label("Title", exact=True).fill(MEETING)
    on = page.get_by_role("group", name="Date")
    on.get_by_label("Day").fill(str(day.day))
    on.get_by_label("Month").fill(str(day.month))
    on.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("12:05am")
    page.get_by_label("End time").fill("12:35am")
    page.get_by_label("Online link (optional)").fill("https://meet.example.test/sro-network")
    page.get_by_label("Agenda (optional)").fill("1. Exit plans\n2. What we would do again")
    page.get_by_role("button", name="Schedule meeting").click()


def test_staff_take_a_network_register_and_accept_a_follow_up_that_shows_improvement(
    browser, live_server, reference_data, cast, screenshot
):
    base = live_server.url
    staff = cast.staff
    reading, sro = reading_in_the_sro_network(staff)
    accepted_baseline(reading, sro=sro, staff=staff)
    areas = list(MaturityArea.objects.order_by("order"))
    assert areas, "the maturity areas come with the reference data"
    day = meeting_day()

    # 1. Staff record the meeting that has already happened and take its register.
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff_page, base, staff.email)
    figure, summary = maturity_on_dashboard(staff_page, base)
    expect(figure.locator(".cmpp-figure__number")).to_have_text("None yet")
    follow_navigation(staff_page, "Networks")
    staff_page.get_by_role("link", name="SRO Network").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("SRO Network")
    staff_page.get_by_role("button", name="Schedule a meeting").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Schedule a meeting")
    schedule_past_meeting(staff_page, day)
    # It has already started, so it is on record only: nobody is sent an invitation.
    expect(banner(staff_page)).to_contain_text(f"{MEETING} has been added. It has already started")
    expect(banner(staff_page)).to_contain_text("nobody was emailed")
    past = staff_page.get_by_role("table", name="Past meetings")
    row = past.get_by_role("row").filter(has_text=MEETING)
    expect(row).to_contain_text("12:05am to 12:35am")
    expect(staff_page.get_by_role("table", name="Upcoming meetings")).to_contain_text(
        "No upcoming meetings."
    )
    screenshot(staff_page, "network-maturity-1-meeting-added")

    row.get_by_role("link", name=f"Register for {MEETING}").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(f"Register for {MEETING}")
    person = staff_page.get_by_role(
        "group", name=re.compile(r"^Rhiannon Reed\s*, Reading Borough Council$")
    )
    expect(person.get_by_label("Present")).not_to_be_checked()
    staff_page.get_by_role("button", name="Mark everyone present").click()
    expect(banner(staff_page)).to_contain_text(f"Everyone is marked present at {MEETING}")
    expect(person.get_by_label("Present")).to_be_checked()
    screenshot(staff_page, "network-maturity-2-register")
    staff_page.get_by_role("button", name="Save register").click()
    expect(banner(staff_page)).to_contain_text(f"Register saved for {MEETING}: 1 present.")
    row = staff_page.get_by_role("table", name="Past meetings").get_by_role("row")
    row = row.filter(has_text=MEETING)
    # Meeting, When, Where, Attended, then the actions.
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")
    staff_page.get_by_role("tab", name="Attendance").click()
    attendance = staff_page.get_by_role("table", name=re.compile("^Attendance, "))
    expect(
        attendance.get_by_role("row", name=re.compile("^All councils")).get_by_role("cell")
    ).to_have_text(["1 of 1", "1", "0", "0", "100%"])
    screenshot(staff_page, "network-maturity-3-attendance")
    # Each council's own attendance is on its members page, from the councils' tab.
    staff_page.get_by_role("tab", name="Councils").click()
    staff_page.get_by_role("link", name=re.compile("^Reading Borough Council")).click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Reading Borough Council")
    expect(
        staff_page.get_by_role("table", name=re.compile("^Attendance, "))
        .get_by_role("row")
        .nth(1)
        .get_by_role("cell")
    ).to_have_text(["1 of 1", "1", "0", "0", "100%"])

    # 2. Reading's SRO sees their council's attendance on their home page.
    sro_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(sro_page, base, sro.email)
    expect(sro_page.get_by_role("heading", level=1)).to_have_text("Reading Borough Council")
    networks = sro_page.get_by_role("table", name="Network meetings, last 12 months")
    # Meetings held, your council attended, attendance.
    expect(
        networks.get_by_role("row", name=re.compile("^SRO Network")).get_by_role("cell")
    ).to_have_text(["1", "1", "100%"])
    screenshot(sro_page, "network-maturity-4-sro-home")

    # 3. The SRO follows their home's link to their council's maturity section, starts a
    # follow-up there and submits it for review.
    sro_page.get_by_role(
        "link", name="Your council's contract-management maturity self-assessment"
    ).click()
    expect(sro_page).to_have_url(re.compile(rf"/councils/{reading.pk}/#maturity$"))
    expect(sro_page.get_by_role("heading", level=1)).to_have_text("Reading Borough Council")
    expect(sro_page.get_by_text("No follow-up yet: the baseline was accepted")).to_be_visible()
    sro_page.get_by_role("button", name="Start a follow-up assessment").click()
    expect(sro_page.get_by_role("heading", level=1)).to_have_text(
        "Follow-up maturity self-assessment"
    )
    for area in areas:
        sro_page.get_by_role("group", name=area.name).get_by_label(
            f"{FOLLOW_UP_SCORE}: Embedded"
        ).check()
    screenshot(sro_page, "network-maturity-5-follow-up-form")
    sro_page.get_by_role("button", name="Submit for review").click()
    expect(banner(sro_page)).to_contain_text("Your assessment has been submitted.")
    expect(sro_page.get_by_text("waiting for the programme team to review it")).to_be_visible()
    scores = sro_page.get_by_role("table", name="Scores, out of 5")
    expect(scores.get_by_role("cell", name=f"{FOLLOW_UP_SCORE}: Embedded")).to_have_count(
        len(areas)
    )
    screenshot(sro_page, "network-maturity-6-submitted")

    # 4. A submitted follow-up does not count yet; staff accept it, and it does.
    figure, summary = maturity_on_dashboard(staff_page, base)
    expect(figure.locator(".cmpp-figure__number")).to_have_text("None yet")
    expect(summary).to_contain_text(
        "No council has both a baseline and a follow-up maturity assessment yet"
    )
    follow_navigation(staff_page, "Councils")
    staff_page.get_by_role("link", name="Reading Borough Council").click()
    assessments = staff_page.get_by_role("table", name="Self-assessments")
    follow_up = assessments.get_by_role("row").filter(has_text="Follow-up")
    expect(follow_up).to_contain_text("Rhiannon Reed")
    expect(follow_up).to_contain_text("Submitted")
    follow_up.get_by_role("link", name="Follow-up").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(
        "Follow-up maturity self-assessment"
    )
    staff_page.get_by_role("group", name="Your decision").get_by_label("Accept").check()
    screenshot(staff_page, "network-maturity-7-review")
    staff_page.get_by_role("button", name="Save decision").click()
    expect(banner(staff_page)).to_contain_text(
        "Reading Borough Council's follow-up assessment has been accepted."
    )
    expect(staff_page.get_by_text("Overall change from the baseline")).to_contain_text(
        f"+{FOLLOW_UP_SCORE - BASELINE_SCORE:.2f} points"
    )
    screenshot(staff_page, "network-maturity-8-council-improved")

    figure, summary = maturity_on_dashboard(staff_page, base)
    expect(figure.locator(".cmpp-figure__number")).to_have_text("100%")
    expect(summary).to_contain_text(
        "100% (1 of the 1 councils with a baseline and a follow-up maturity assessment)"
    )
    screenshot(staff_page, "network-maturity-9-dashboard")
