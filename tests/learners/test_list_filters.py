"""The learner list (and its CSV export) filters by council, cohort, level, status and stalled
progress, searches, and sorts."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from learners.models import Learner
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    today = timezone.localdate()
    stalled = factories.LearnerFactory(
        council=cast.council_a,
        first_name="Stella",
        last_name="Zzstall",
        last_progress_on=today - timedelta(weeks=10),
    )
    moving = factories.LearnerFactory(
        council=cast.council_a,
        first_name="Mo",
        last_name="Zzmove",
        last_progress_on=today - timedelta(days=3),
    )
    expert = factories.LearnerFactory(
        council=cast.council_b,
        first_name="Ezra",
        last_name="Zzexpert",
        target_level=factories.level("expert"),
        status=Learner.Status.ON_HOLD,
    )
    return {"stalled": stalled, "moving": moving, "expert": expert}


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("council=E06000001", ["Zzstall", "Zzmove"], ["Zzexpert"]),
        ("level=expert", ["Zzexpert"], ["Zzstall", "Zzmove"]),
        ("status=on_hold", ["Zzexpert"], ["Zzstall", "Zzmove"]),
        ("stalled=yes", ["Zzstall"], ["Zzmove", "Zzexpert"]),
        ("q=stella", ["Zzstall"], ["Zzmove"]),
    ],
)
def test_staff_filter_the_learner_list(client, cast, people, query, shown, hidden):
    client.force_login(cast.staff)
    page = client.get(f"/learners/?{query}").text
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page


def test_the_cohort_filter_shows_the_cohorts_learners(client, cast, people):
    client.force_login(cast.staff)
    page = client.get(f"/learners/?cohort={cast.cohort.code}").text
    assert cast.learner_a.last_name in page and cast.learner_b.last_name in page
    assert "Zzstall" not in page


def test_the_list_sorts_by_last_progress(client, cast, people):
    client.force_login(cast.staff)
    page = client.get("/learners/?sort=-progress").text
    assert page.index("Zzmove") < page.index("Zzstall")
    page = client.get("/learners/?sort=progress").text
    assert page.index("Zzstall") < page.index("Zzmove")


def test_the_export_is_the_filtered_list(client, cast, people):
    client.force_login(cast.staff)
    page = client.get("/learners/?stalled=yes&level=practitioner").text
    assert "/learners/export.csv?stalled=yes&amp;level=practitioner" in page
    response = client.get("/learners/export.csv?stalled=yes&level=practitioner")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [row["last_name"] for row in rows] == ["Zzstall"]


def test_an_sro_filters_only_their_own_councils_learners(client, cast, people):
    client.force_login(cast.sro_a)
    page = client.get("/learners/").text
    assert "Zzstall" in page and "Zzexpert" not in page
    assert "Council B" not in page  # not even as a filter choice
    assert 'name="cohort"' not in page
    assert "Zzexpert" not in client.get("/learners/?council=E06000002").text


def test_an_sros_export_ignores_the_cohort_filter_as_their_list_does(client, cast, people):
    client.force_login(cast.sro_a)
    response = client.get(f"/learners/export.csv?cohort={cast.cohort.code}")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    names = {row["last_name"] for row in csv.DictReader(io.StringIO(content))}
    assert names == {cast.learner_a.last_name, "Zzstall", "Zzmove"}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Ibrahim Ali", "ali"),
        ("ali ibrahim", "ali"),
        ("Natalie O'Brien", "obrien"),
        ("Natalie O\u2019Brien", "obrien"),
        ("o'brien natalie", "obrien"),
    ],
)
def test_search_finds_a_learner_by_full_name_in_any_order(client, cast, query, found):
    people = {
        "ali": factories.LearnerFactory(
            council=cast.council_a, first_name="Ibrahim", last_name="Ali"
        ),
        "obrien": factories.LearnerFactory(
            council=cast.council_a, first_name="Natalie", last_name="O'Brien"
        ),
        "obi": factories.LearnerFactory(
            council=cast.council_a, first_name="Ibrahim", last_name="Obi"
        ),
    }
    client.force_login(cast.staff)
    page = client.get("/learners/", {"q": query}).text
    for key, learner in people.items():
        assert (f"/learners/{learner.pk}/" in page) == (key == found), key


def test_search_needs_every_word_to_match(client, cast):
    learner = factories.LearnerFactory(
        council=cast.council_a, first_name="Ibrahim", last_name="Ali"
    )
    client.force_login(cast.staff)
    assert f"/learners/{learner.pk}/" in client.get("/learners/", {"q": "ibrahim"}).text
    page = client.get("/learners/", {"q": "Ibrahim Zzznobody"}).text
    assert f"/learners/{learner.pk}/" not in page


def test_search_finds_a_councils_learners_by_its_code_whatever_the_case(client, cast):
    ibrahim = factories.LearnerFactory(
        council=cast.council_a, first_name="Ibrahim", last_name="Ali"
    )
    other = factories.LearnerFactory(council=cast.council_b, first_name="Ibrahim", last_name="Obi")
    client.force_login(cast.staff)
    page = client.get("/learners/", {"q": "e06000001"}).text
    assert f"/learners/{ibrahim.pk}/" in page and f"/learners/{other.pk}/" not in page
    # The code is one word among others: each must match a name, the email or the code.
    page = client.get("/learners/", {"q": "Ibrahim E06000002"}).text
    assert f"/learners/{other.pk}/" in page and f"/learners/{ibrahim.pk}/" not in page


def test_every_filter_on_the_learner_list_has_a_proper_label(client, cast):
    client.force_login(cast.staff)
    page = client.get("/learners/").text
    assert "[invalid name]" not in page
    assert 'for="id_cohort">Cohort</label>' in page


def test_the_council_and_cohort_filters_follow_every_change_to_councils_and_cohorts(
    client, cast, people
):
    """Their options are kept between requests: a council or cohort added, renamed or removed
    shows on the very next page, and filtering by it finds its learners."""
    client.force_login(cast.staff)
    assert "Newtown Borough" not in client.get("/learners/").text
    council = factories.CouncilFactory(name="Newtown Borough", code="E07000999")
    factories.LearnerFactory(council=council, last_name="Zznewtown")
    cohort = factories.CohortFactory(name="Winter intake", code="PRAC-WINTER")
    page = client.get("/learners/?council=E07000999").text
    assert '<option value="E07000999" selected>Newtown Borough</option>' in page
    assert '<option value="PRAC-WINTER">Winter intake (PRAC-WINTER)</option>' in page
    assert "Zznewtown" in page and "Zzstall" not in page

    council.name = "Newtown City"
    council.save()
    cohort.delete()
    page = client.get("/learners/").text
    assert '<option value="E07000999">Newtown City</option>' in page
    assert "Newtown Borough" not in page and "PRAC-WINTER" not in page
    # A code no longer there is never looked up by a stale id: the page says it is unknown.
    assert (
        "Cohort has no option “PRAC-WINTER”: choose one from the list"
        in client.get("/learners/?cohort=PRAC-WINTER").text
    )


def test_an_sro_sees_only_their_own_councils_in_the_council_filter(client, cast, people):
    client.force_login(cast.staff)
    client.get("/learners/")  # the whole programme's options, kept for the next request
    client.force_login(cast.sro_a)
    page = client.get("/learners/").text
    assert f'<option value="{cast.council_a.code}">' in page
    assert f'value="{cast.council_b.code}"' not in page and 'name="cohort"' not in page


@pytest.mark.parametrize(
    "path",
    [
        "/learners/?cohort=GONE-1",
        "/learners/?sort=fastest",
        "/councils/?region=atlantis",
        "/cohorts/?status=sleeping",
        "/councils/support/?specialist=99999",
    ],
)
def test_a_filter_value_the_list_does_not_know_is_shown_as_an_error(client, cast, people, path):
    """A mistyped or out-of-date link: the page says which filter it could not use, in the
    error summary and beside the filter, and lists what it would without that filter."""
    client.force_login(cast.staff)
    page = client.get(path).text
    assert "<title>Error: " in page
    assert 'class="govuk-error-summary' in page and "There is a problem" in page
    assert page.count('<p class="govuk-error-message"') == 1
    assert " has no option “" in page and "”: choose one from the list" in page
    assert "govuk-select--error" in page and 'aria-describedby="id_' in page
    unfiltered = client.get(path.split("?")[0]).text
    caption = re.compile(r"<caption[^>]*>(.*?)</caption>", re.S)
    assert caption.search(page)[1] == caption.search(unfiltered)[1]


def test_the_csv_link_beside_an_unknown_filter_downloads_the_learners_shown(client, cast, people):
    """The list names the filter it could not use and lists learners without it; its CSV link
    leaves that filter out too, so the file holds what the page shows."""
    client.force_login(cast.staff)
    page = client.get("/learners/?cohort=GONE-1&stalled=yes").text
    assert "Cohort has no option “GONE-1”: choose one from the list" in page
    assert 'href="/learners/export.csv?stalled=yes"' in page
    response = client.get("/learners/export.csv?stalled=yes")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row["last_name"] for row in csv.DictReader(io.StringIO(content))] == ["Zzstall"]


@pytest.mark.parametrize("user", ["staff", "sro_a"])
def test_an_export_link_with_an_unknown_filter_value_goes_to_the_list_that_says_so(
    client, cast, people, user
):
    """A stale bookmark to the CSV gives no file that quietly ignores a filter: the list opens
    with the filter in error."""
    client.force_login(getattr(cast, user))
    response = client.get("/learners/export.csv?council=E09999999&status=active")
    assert response.status_code == 302
    assert response["Location"] == "/learners/?council=E09999999&status=active"
    page = client.get(response["Location"]).text
    assert "<title>Error: " in page
    assert "Council has no option “E09999999”: choose one from the list" in page


def test_a_known_filter_value_shows_no_error(client, cast, people):
    client.force_login(cast.staff)
    page = client.get(f"/learners/?council={cast.council_a.code}&status=active").text
    assert "govuk-error" not in page and "<title>Error: " not in page
