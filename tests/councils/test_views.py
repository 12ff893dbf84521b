"""Programme staff find councils by filters, edit them, hand them over and withdraw them."""

from datetime import date

import pytest

from councils.models import Council
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils(cast):
    lp = factories.organisation("local-partnerships")
    return {
        "slough": factories.CouncilFactory(
            name="Slough Borough Council",
            code="E06000039",
            managed_by=lp,
            lga_priority=True,
            region=Council.Region.SOUTH_EAST,
            onboarded_on=date(2023, 11, 1),
        ),
        "cardiff": factories.CouncilFactory(
            name="Cardiff Council",
            code="W06000015",
            region=Council.Region.WALES,
            nation=Council.Nation.WALES,
            status=Council.Status.WITHDRAWN,
        ),
    }


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("body=local-partnerships", ["Slough"], ["Cardiff", "Council A"]),
        ("body=dluhc", ["Cardiff", "Council A"], ["Slough"]),
        ("lga_priority=yes", ["Slough"], ["Cardiff"]),
        ("lga_priority=no", ["Cardiff"], ["Slough"]),
        ("nation=wales", ["Cardiff"], ["Slough"]),
        ("region=south_east&status=withdrawn", [], ["Slough", "Cardiff"]),
        ("status=withdrawn", ["Cardiff"], ["Slough"]),
        ("q=w06000015", ["Cardiff"], ["Slough"]),
        ("q=slough", ["Slough"], ["Cardiff"]),
    ],
)
def test_the_council_list_filters(client, cast, councils, query, shown, hidden):
    client.force_login(cast.viewer)
    page = client.get(f"/councils/?{query}").text
    for name in shown:
        assert name in page
    for name in hidden:
        assert f">{name}" not in page


def test_the_council_list_sorts(client, cast, councils):
    client.force_login(cast.staff)
    page = client.get("/councils/?sort=-name").text
    assert page.index("Slough Borough Council") < page.index("Cardiff Council")
    page = client.get("/councils/?sort=-onboarded").text
    assert page.index("Slough Borough Council") < page.index("Council A")


def test_staff_edit_a_council(client, cast, councils):
    client.force_login(cast.staff)
    council = councils["slough"]
    url = f"/councils/{council.pk}/edit/"
    assert 'value="Slough Borough Council"' in client.get(url).text
    data = {
        "name": "Slough Borough Council",
        "council_type": "unitary",
        "region": "south_east",
        "nation": "england",
        "funded_places": "15",
    }
    assert "whole number" in client.post(url, {**data, "funded_places": "lots"}).text
    too_long = client.post(url, {**data, "name": "S" * 201})
    assert "Council name must be 200 characters or fewer" in too_long.text
    response = client.post(url, data)
    council.refresh_from_db()
    assert response.status_code == 302 and council.funded_places == 15
    assert council.lga_priority is False  # an unticked box clears it
    assert council.history.first().history_user == cast.staff


def test_staff_hand_a_council_over_from_a_date_keeping_the_history(client, cast, councils):
    client.force_login(cast.staff)
    council = cast.council_a  # managed by DLUHC since 10 January 2022
    lp = factories.organisation("local-partnerships")
    url = f"/councils/{council.pk}/hand-over/"
    early = client.post(
        url, {"to_organisation": lp.pk, "on_day": "1", "on_month": "1", "on_year": "2021"}
    )
    assert "must be after the current managing body took over" in early.text
    response = client.post(
        url,
        {"to_organisation": lp.pk, "on_day": "1", "on_month": "10", "on_year": "2023"},
        follow=True,
    )
    assert "manages Council A from 1 October 2023" in response.text
    periods = list(council.managing_body_periods.order_by("starts_on"))
    assert [(p.organisation.slug, p.ends_on) for p in periods] == [
        ("dluhc", date(2023, 10, 1)),
        ("local-partnerships", None),
    ]


def test_staff_withdraw_a_council_with_a_reason(client, cast, councils):
    client.force_login(cast.staff)
    url = f"/councils/{councils['slough'].pk}/withdraw/"
    assert "Enter why the council is leaving" in client.post(url, {"reason": ""}).text
    too_long = client.post(url, {"reason": "M" * 101})
    assert "Reason must be 100 characters or fewer" in too_long.text
    councils["slough"].refresh_from_db()
    assert councils["slough"].status != Council.Status.WITHDRAWN
    client.post(url, {"reason": "Merged into a new unitary"})
    councils["slough"].refresh_from_db()
    assert councils["slough"].status == Council.Status.WITHDRAWN


def test_the_council_page_lists_the_cohorts_its_learners_are_in(client, cast):
    client.force_login(cast.sro_a)
    page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert cast.cohort.name in page
    assert f'href="/cohorts/{cast.cohort.pk}/"' not in page  # SROs do not open cohort pages
    assert "Edit council" not in page
    client.force_login(cast.staff)
    assert (
        f'href="/cohorts/{cast.cohort.pk}/"' in client.get(f"/councils/{cast.council_a.pk}/").text
    )


@pytest.mark.parametrize("action", ["edit/", "hand-over/", "withdraw/"])
@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user"])
def test_only_programme_staff_change_councils(client, cast, who, action):
    client.force_login(getattr(cast, who))
    url = f"/councils/{cast.council_a.pk}/{action}"
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    cast.council_a.refresh_from_db()
    assert cast.council_a.status == Council.Status.ACTIVE


def test_an_sro_cannot_act_on_another_council_either(client, cast):
    client.force_login(cast.sro_a)
    assert client.get(f"/councils/{cast.council_b.pk}/").status_code == 404
