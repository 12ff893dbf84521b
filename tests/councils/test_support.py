"""Transformation support: staff record and change engagements (with history), everyone who
reads a council sees its timeline, and staff and viewers follow every engagement in one list."""

import re
from datetime import date

import factory
import pytest

from cmpp.accounts.models import StaffMembership
from councils.models import SupportEngagement
from tests import factories

pytestmark = pytest.mark.django_db


class SupportEngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportEngagement

    council = factory.SubFactory(factories.CouncilFactory)
    title = factory.Sequence(lambda n: f"Support engagement {n}")
    objectives = "Contract management plans for the biggest contracts"
    status = SupportEngagement.Status.ACTIVE
    starts_on = date(2025, 6, 1)


def lp_specialist(email="specialist@lp.test", first_name="Priya", last_name="Shah"):
    return factories.StaffMembershipFactory(
        user__email=email,
        user__first_name=first_name,
        user__last_name=last_name,
        organisation=factories.organisation("local-partnerships"),
        role=StaffMembership.Role.PROGRAMME_STAFF,
    ).user


def date_fields(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def support_body(specialist, **overrides):
    body = {
        "title": "Supplier performance reviews",
        "specialist": specialist.pk if specialist else "",
        "status": "planned",
        "objectives": "Quarterly reviews with the top ten suppliers",
        "notes": "",
        "outcomes": "",
        **date_fields("starts_on", date(2026, 1, 5)),
        **date_fields("ends_on", date(2026, 6, 30)),
    }
    body.update(overrides)
    return body


def test_staff_add_support_and_see_it_on_the_council_page(client, cast):
    specialist = lp_specialist()
    client.force_login(cast.staff)
    url = f"/councils/{cast.council_a.pk}/support/new/"
    form = client.get(url).text
    assert "Priya Shah" in form
    response = client.post(url, support_body(specialist))
    assert response.status_code == 302
    engagement = SupportEngagement.objects.get()
    assert (engagement.council, engagement.specialist) == (cast.council_a, specialist)
    assert engagement.history.get().history_user == cast.staff
    page = client.get(response.url).text
    assert "Supplier performance reviews" in page
    assert "Priya Shah" in page
    assert f"/councils/{cast.council_a.pk}/support/{engagement.pk}/edit/" in page


def test_the_specialist_is_one_of_local_partnerships_programme_staff(client, cast):
    client.force_login(cast.staff)
    # cast.staff works for DLUHC: not a choice.
    response = client.post(f"/councils/{cast.council_a.pk}/support/new/", support_body(cast.staff))
    assert response.status_code == 200
    assert "Select specialist" in response.text
    assert not SupportEngagement.objects.exists()


def test_support_cannot_end_before_it_starts(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        f"/councils/{cast.council_a.pk}/support/new/",
        support_body(None, **date_fields("ends_on", date(2025, 12, 1))),
    )
    assert "The end date must be the same as or after the start date, 5 January 2026" in (
        response.text
    )
    assert 'href="#id_ends_on_day"' in response.text
    assert not SupportEngagement.objects.exists()


def test_staff_change_support_and_its_history_shows_what_changed(client, cast):
    specialist = lp_specialist()
    engagement = SupportEngagementFactory(council=cast.council_a, status="planned")
    client.force_login(cast.staff)
    url = f"/councils/{cast.council_a.pk}/support/{engagement.pk}/edit/"
    body = support_body(
        specialist,
        title=engagement.title,
        status="completed",
        outcomes="Every contract now has a plan",
    )
    assert client.post(url, body).status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "completed"
    assert engagement.outcomes == "Every contract now has a plan"
    page = client.get(url).text
    assert "Status: Planned to Completed" in page
    assert "Record history" in page
    council_page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert "Every contract now has a plan" in council_page


def test_a_specialist_who_left_local_partnerships_stays_on_their_engagement(client, cast):
    engagement = SupportEngagementFactory(council=cast.council_a, specialist=cast.staff)
    client.force_login(cast.staff)
    url = f"/councils/{cast.council_a.pk}/support/{engagement.pk}/edit/"
    assert client.post(url, support_body(cast.staff, title="Kept")).status_code == 302
    engagement.refresh_from_db()
    assert (engagement.title, engagement.specialist) == ("Kept", cast.staff)


def test_the_timeline_is_newest_first(client, cast):
    SupportEngagementFactory(council=cast.council_a, title="Older", starts_on=date(2024, 1, 1))
    SupportEngagementFactory(council=cast.council_a, title="Newer", starts_on=date(2025, 9, 1))
    client.force_login(cast.viewer)
    page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert page.index("Newer") < page.index("Older")
    # Viewers read, and are not offered changes.
    assert "Add support" not in page
    assert "/support/new/" not in page


def test_an_sro_reads_only_their_own_councils_support(client, cast):
    SupportEngagementFactory(council=cast.council_a, title="Support for A")
    other = SupportEngagementFactory(council=cast.council_b, title="Support for B")
    client.force_login(cast.sro_a)
    page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert "Support for A" in page
    assert "Support for B" not in page
    assert "Add support" not in page
    assert client.get(f"/councils/{cast.council_b.pk}/").status_code == 404
    assert client.get("/councils/support/").status_code == 403
    # Their own council's forms are staff-only; another council's are not there at all.
    own = SupportEngagementFactory(council=cast.council_a)
    assert client.get(f"/councils/{cast.council_a.pk}/support/{own.pk}/edit/").status_code == 403
    client.force_login(cast.sro_b)
    edit_a = f"/councils/{cast.council_a.pk}/support/{own.pk}/edit/"
    assert client.get(edit_a).status_code == 404
    assert client.post(edit_a, support_body(None)).status_code == 404
    assert client.get(f"/councils/{cast.council_a.pk}/support/new/").status_code == 404
    # An engagement asked for under the wrong council is not found either.
    client.force_login(cast.staff)
    assert client.get(f"/councils/{cast.council_a.pk}/support/{other.pk}/edit/").status_code == 404


@pytest.mark.parametrize("who", ["learner_a_user", "nobody"])
def test_people_without_a_council_role_see_no_support(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/councils/support/").status_code == 403
    assert client.get(f"/councils/{cast.council_a.pk}/support/new/").status_code == 404


@pytest.fixture
def engagements(cast):
    lp = factories.organisation("local-partnerships")
    priya = lp_specialist()
    tom = lp_specialist("tom@lp.test", "Tom", "Hughes")
    slough = factories.CouncilFactory(name="Slough Borough Council", managed_by=lp)
    return {
        "priya": priya,
        "tom": tom,
        "rows": [
            SupportEngagementFactory(
                council=slough, title="Slough planning", specialist=priya, status="active"
            ),
            SupportEngagementFactory(
                council=cast.council_a,
                title="Council A reviews",
                specialist=priya,
                status="completed",
            ),
            SupportEngagementFactory(
                council=cast.council_b, title="Council B risks", specialist=tom, status="planned"
            ),
            SupportEngagementFactory(council=cast.council_b, title="Council B unassigned"),
        ],
    }


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=completed", ["Council A reviews"], ["Slough planning", "Council B risks"]),
        ("specialist={priya}", ["Slough planning", "Council A reviews"], ["Council B risks"]),
        ("specialist=none", ["Council B unassigned"], ["Council B risks", "Slough planning"]),
        ("body=local-partnerships", ["Slough planning"], ["Council A reviews", "Council B"]),
        ("body=dluhc", ["Council A reviews", "Council B risks"], ["Slough planning"]),
        ("body=dluhc&specialist={priya}", ["Council A reviews"], ["Slough", "Council B"]),
    ],
)
def test_the_support_list_filters(client, cast, engagements, query, shown, hidden):
    client.force_login(cast.viewer)
    page = client.get(f"/councils/support/?{query.format(priya=engagements['priya'].pk)}").text
    for title in shown:
        assert title in page
    for title in hidden:
        assert f">{title}" not in page


def load_rows(page: str) -> dict[str, tuple[int, int]]:
    """The specialists' load table: name to (planned or active, all)."""
    table = page[page.index("Engagements by specialist") :].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>'
        r"<td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>",
        table,
    )
    return {name: (int(open_), int(total)) for name, open_, total in rows}


def test_the_support_list_counts_each_specialists_load(client, cast, engagements):
    client.force_login(cast.staff)
    load = load_rows(client.get("/councils/support/").text)
    # Priya: one active and one completed; Tom: one planned; one with nobody yet.
    assert load == {"Priya Shah": (1, 2), "Tom Hughes": (1, 1), "No specialist yet": (1, 1)}
    filtered = load_rows(client.get("/councils/support/?body=dluhc").text)
    assert filtered == {"Priya Shah": (0, 1), "Tom Hughes": (1, 1), "No specialist yet": (1, 1)}


def test_the_support_list_follows_a_hand_over(client, cast, engagements):
    from councils.services import council_hand_over

    council_hand_over(
        council=cast.council_a,
        to_organisation=factories.organisation("local-partnerships"),
        on=date(2025, 1, 1),
        acting_user=cast.staff,
    )
    client.force_login(cast.staff)
    page = client.get("/councils/support/?body=local-partnerships").text
    assert "Council A reviews" in page
    assert "Slough planning" in page
    assert ">Council B risks" not in page


@pytest.mark.parametrize("size", [5, 100])
def test_the_support_pages_read_in_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, size
):
    specialist = lp_specialist()
    SupportEngagementFactory.create_batch(size, council=cast.council_a, specialist=specialist)
    client.force_login(cast.staff)
    with django_assert_max_num_queries(16):
        assert client.get("/councils/support/").status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(f"/councils/{cast.council_a.pk}/").status_code == 200
