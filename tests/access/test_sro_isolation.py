"""For any programme, what an SRO can reach (home figures, learner list, search, CSV export,
council list and page) holds their own council's learners and nobody else's."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohorts.models import AccreditationLevel
from learners.models import Enrolment, Learner
from tests import factories

pytestmark = pytest.mark.django_db

LEVELS = ("foundation", "practitioner", "expert")

learners = st.fixed_dictionaries(
    {
        "status": st.sampled_from(Learner.Status.values),
        "level": st.sampled_from(LEVELS),
        # Days since their last completed step; either side of the at-risk cutoff, or none yet.
        "last_progress_days": st.sampled_from([None, 3, 20, 90, 400]),
        "enrolments": st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(Enrolment.Status.values)), max_size=3
        ),
        "accredited_levels": st.lists(st.sampled_from(LEVELS), max_size=3, unique=True),
    }
)
programmes = st.fixed_dictionaries(
    {
        "cohort_levels": st.lists(st.sampled_from(LEVELS), min_size=1, max_size=3),
        "councils": st.lists(st.lists(learners, max_size=6), min_size=2, max_size=4),
        "sro_council": st.integers(0, 3),
        "sro_is_also_learner": st.booleans(),
        "pick": st.integers(0, 1000),
    }
)


@dataclass
class Programme:
    councils: list = field(default_factory=list)
    cohorts: list = field(default_factory=list)
    learners_by_council: dict = field(default_factory=dict)


def _build(spec) -> Programme:
    """Councils Q0Z, Q1Z, ... whose learners have names and emails no page shows by chance."""
    programme = Programme()
    level = {slug: AccreditationLevel.objects.get(slug=slug) for slug in LEVELS}
    programme.cohorts = [
        factories.CohortFactory(level=level[slug], name=f"Cohort K{i}K")
        for i, slug in enumerate(spec["cohort_levels"])
    ]
    today = timezone.localdate()
    for c, learner_specs in enumerate(spec["councils"]):
        council = factories.CouncilFactory(name=f"Council Q{c}Z")
        programme.councils.append(council)
        programme.learners_by_council[council.pk] = []
        for n, ls in enumerate(learner_specs):
            days = ls["last_progress_days"]
            learner = factories.LearnerFactory(
                council=council,
                first_name=f"Fnc{c}n{n}x",
                last_name=f"Lnc{c}n{n}x",
                email=f"c{c}.n{n}@council{c}.example.gov.uk",
                status=ls["status"],
                target_level=level[ls["level"]],
                last_progress_on=None if days is None else today - timedelta(days=days),
            )
            programme.learners_by_council[council.pk].append(learner)
            open_levels = set()
            for k, (index, status) in enumerate(ls["enrolments"]):
                cohort = programme.cohorts[index % len(programme.cohorts)]
                if status in Enrolment.OPEN_STATUSES and cohort.level_id in open_levels:
                    status = Enrolment.Status.DEFERRED  # one open place per level
                if status in Enrolment.OPEN_STATUSES:
                    open_levels.add(cohort.level_id)
                factories.EnrolmentFactory(
                    learner=learner,
                    cohort=cohort,
                    status=status,
                    enrolled_on=date(2025, 1, 1) + timedelta(days=k),
                )
            for slug in ls["accredited_levels"]:
                factories.AccreditationFactory(learner=learner, level=level[slug])
    return programme


def _figure(html: str, label: str) -> int:
    match = re.search(rf'cmpp-figure__number">(\d+)</span> {label}', html)
    assert match, f"no '{label}' figure on the page"
    return int(match[1])


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spec=programmes)
def test_an_sro_reaches_only_their_own_councils_learners(spec):
    # Each example builds its programme in a savepoint inside the test's transaction and rolls
    # it back, so the next example starts from the migrated reference data alone.
    with transaction.atomic():
        _check_one_programme(spec)
        transaction.set_rollback(True)


def _check_one_programme(spec):
    programme = _build(spec)
    own = programme.councils[spec["sro_council"] % len(programme.councils)]
    sro = factories.CouncilRoleFactory(council=own).user
    if spec["sro_is_also_learner"]:
        programme.learners_by_council[own.pk].append(
            factories.LearnerFactory(
                council=own,
                user=sro,
                first_name="Fnsrox",
                last_name="Lnsrox",
                email=sro.email,
                status=Learner.Status.ACTIVE,
            )
        )
    mine = programme.learners_by_council[own.pk]
    others = [
        learner
        for pk, council_learners in programme.learners_by_council.items()
        if pk != own.pk
        for learner in council_learners
    ]
    other_councils = [council for council in programme.councils if council != own]
    other = others[spec["pick"] % len(others)] if others else None
    other_council = other_councils[spec["pick"] % len(other_councils)]
    cohort = programme.cohorts[spec["pick"] % len(programme.cohorts)]

    client = Client()
    client.force_login(sro)

    def assert_holds_no_one_else(html: str, where: str, echoed=()):
        """No other council's learner (by link, name or email) nor council name. What the asker
        typed is echoed back in the search box and links, so it is blanked out first."""
        for value in echoed:
            html = html.replace(value, "")
        for learner in others:
            assert reverse("learners:detail", args=[learner.pk]) not in html, where
            for text in (learner.first_name, learner.last_name, learner.email):
                assert text not in html, f"{where} shows {learner.full_name}"
        for council in other_councils:
            assert council.name not in html, f"{where} shows {council.name}"
            assert reverse("councils:detail", args=[council.pk]) not in html, where

    # Home: the SRO's figures count their council alone.
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert_holds_no_one_else(html, "home")
    for learner in mine:
        assert learner.last_name in html
    cutoff = timezone.localdate() - timedelta(weeks=django_settings.CMPP_AT_RISK_WEEKS)
    expected_at_risk = sum(
        1
        for learner in mine
        if learner.status in (Learner.Status.ACTIVE, Learner.Status.NOMINATED)
        and learner.last_progress_on is not None
        and learner.last_progress_on < cutoff
    )
    expected_accreditations = sum(learner.accreditations.count() for learner in mine)
    expected_funded_used = (
        Enrolment.objects.filter(
            learner__in=mine,
            level__is_funded=True,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
        .values("learner")
        .distinct()
        .count()
    )
    assert _figure(html, "learners") == len(mine)
    assert _figure(html, "at risk") == expected_at_risk
    assert _figure(html, "accreditations") == expected_accreditations
    assert _figure(html, "funded places used") == expected_funded_used

    # Their council's page shows the same figures; the council list shows their council alone.
    page = client.get(reverse("councils:detail", args=[own.pk])).content.decode()
    assert_holds_no_one_else(page, "council page")
    achieved = re.search(r"Accreditations achieved\s*</dt>\s*<dd[^>]*>\s*(\d+)\s*</dd>", page)
    assert achieved and int(achieved[1]) == expected_accreditations
    assert re.search(rf">\s*{expected_funded_used} used,", page)
    for query in ({}, {"q": other_council.name}, {"q": other_council.code}):
        response = client.get(reverse("councils:list"), query)
        assert response.status_code == 200
        html = response.content.decode()
        assert_holds_no_one_else(html, f"/councils/ {query}", echoed=query.values())
        for council in other_councils:
            assert council.code not in html.replace(query.get("q", "\0"), "")

    # The learner list and its CSV export, however they are filtered.
    queries = [
        {},
        {"council": other_council.code},
        {"council": own.code},
        {"q": other_council.code},
        {"cohort": cohort.code},
        {"council": other_council.code, "cohort": cohort.code},
        {"status": "active", "stalled": "yes"},
        {"level": "practitioner", "sort": "-progress"},
    ]
    if other is not None:
        queries += [{"q": other.last_name}, {"q": other.email}, {"q": other.first_name[:4]}]
    own_emails = {learner.email for learner in mine}
    for query in queries:
        listing = client.get(reverse("learners:list"), query)
        assert listing.status_code == 200
        html = listing.content.decode()
        assert_holds_no_one_else(html, f"/learners/ {query}", echoed=query.values())
        shown = re.search(r"(\d+) learners?</caption>", html)
        assert shown and int(shown[1]) <= len(mine), query
        export = client.get(reverse("learners:export"), query)
        if query.get("council", own.code) != own.code:
            # Another council's code is as unknown to the SRO as a made-up one: the list opens
            # and says so, and holds no one else (above); no file is made.
            assert "<title>Error: " in html, query
            assert export.status_code == 302, query
            where, _, asked = export["Location"].partition("?")
            assert where == reverse("learners:list") and parse_qs(asked) == {
                name: [value] for name, value in query.items()
            }
            continue
        rows = _csv_rows(export)
        assert {row["council_code"] for row in rows} <= {own.code}, query
        assert {row["email"] for row in rows} <= own_emails, query
    everyone = _csv_rows(client.get(reverse("learners:export")))
    assert sorted(row["email"] for row in everyone) == sorted(own_emails)

    # Cohort pages are programme records: an SRO gets 404 there, whoever is enrolled.
    assert client.get(reverse("cohorts:detail", args=[cohort.pk])).status_code == 404
