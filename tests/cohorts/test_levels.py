"""Programme staff keep the accreditation levels and their steps up to date at /levels/; viewers
read them; SROs, learners and people signed out never reach them."""

import re

import pytest

from cohorts.models import AccreditationLevel, LevelStep
from tests import factories

pytestmark = pytest.mark.django_db


def foundation():
    return factories.level("foundation")


def steps_of(level):
    return list(
        LevelStep.objects.filter(level=level).order_by("order").values_list("name", flat=True)
    )


def level_data(level, **overrides):
    data = {
        "name": level.name,
        "description": level.description,
        "is_funded": "on" if level.is_funded else "",
        "renewal_months": level.renewal_months or "",
        "cpd_hours_per_year": level.cpd_hours_per_year or "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def step_data(**overrides):
    return {
        "name": "Foundation refresher",
        "kind": "module",
        "description": "A short recap before the test.",
        "required_before_assessment": "on",
        **overrides,
    }


# Reading


@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_staff_and_viewers_see_the_levels_with_their_rules(client, cast, who):
    client.force_login(getattr(cast, who))
    page = client.get("/levels/").text
    for name in ("Foundation", "Practitioner", "Expert"):
        assert name in page
    assert "Re-accredit every 2 years" in page
    assert "30 hours of CPD a year" in page
    assert '<a class="govuk-link" href="/levels/' in page
    assert 'href="/levels/"' in client.get("/").text  # In the service navigation.


def test_the_level_page_lists_every_step_in_order_with_retired_ones_marked(client, cast):
    level = foundation()
    LevelStep.objects.filter(level=level, name="Foundation practice test").update(is_active=False)
    client.force_login(cast.viewer)
    page = client.get(f"/levels/{level.pk}/").text
    positions = [page.index(name) for name in steps_of(level)]
    assert positions == sorted(positions)
    assert "Retired" in page and "Record history" in page
    # Viewers read; they get no buttons that change anything.
    assert "Edit level" not in page and "Add a step" not in page
    for button in ("Move up", "Retire", "Delete"):
        assert not re.search(rf">\s*{button}<", page)  # A button's text, not the "Retired" tag.


def test_staff_see_the_buttons_that_change_a_level(client, cast):
    client.force_login(cast.staff)
    page = client.get(f"/levels/{foundation().pk}/").text
    for button in ("Edit level", "Add a step", "Move up", "Move down", "Retire"):
        assert button in page


@pytest.mark.parametrize("who", ["sro_a", "learner_a_user", "nobody"])
def test_people_outside_the_programme_team_cannot_see_levels(client, cast, who):
    client.force_login(getattr(cast, who))
    level = foundation()
    assert client.get("/levels/").status_code == 403
    assert client.get(f"/levels/{level.pk}/").status_code == 403
    assert 'href="/levels/"' not in client.get("/").text


def test_signed_out_people_are_sent_to_sign_in(client, cast):
    response = client.get(f"/levels/{foundation().pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who", ["viewer", "sro_a"])
def test_only_programme_staff_change_levels_and_steps(client, cast, who):
    client.force_login(getattr(cast, who))
    level = foundation()
    step = level.steps.order_by("order").last()
    posts = [
        (f"/levels/{level.pk}/edit/", level_data(level, description="Changed")),
        (f"/levels/{level.pk}/steps/new/", step_data()),
        (f"/levels/{level.pk}/steps/{step.pk}/edit/", step_data()),
        (f"/levels/{level.pk}/steps/{step.pk}/move/", {"direction": "up"}),
        (f"/levels/{level.pk}/steps/{step.pk}/retire/", {}),
        (f"/levels/{level.pk}/steps/{step.pk}/delete/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    level.refresh_from_db()
    assert level.description != "Changed"
    assert steps_of(level) == [
        "Foundation on-demand learning",
        "Foundation practice test",
        "Foundation assessment",
    ]
    assert LevelStep.objects.get(pk=step.pk).is_active


# Editing a level


def test_staff_change_a_levels_renewal_rule_and_the_history_names_them(client, cast):
    level = foundation()
    client.force_login(cast.staff)
    response = client.post(
        f"/levels/{level.pk}/edit/",
        level_data(level, is_funded="on", renewal_months="", cpd_hours_per_year="20"),
    )
    assert response.status_code == 302 and response.url == f"/levels/{level.pk}/"
    level.refresh_from_db()
    assert (level.is_funded, level.renewal_months, level.cpd_hours_per_year) == (True, None, 20)
    page = client.get(response.url).text
    assert "Foundation has been updated." in page
    assert "20 hours of CPD a year" in page
    assert cast.staff.get_full_name() in page
    assert "Cpd hours per year: blank to 20" in page
    assert "Renewal months: 24 to blank" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"renewal_months": "24", "cpd_hours_per_year": "30"},
            "Enter months until re-accreditation or CPD hours a year, not both",
        ),
        (
            {"renewal_months": "", "cpd_hours_per_year": ""},
            "Enter months until re-accreditation or CPD hours a year",
        ),
        ({"renewal_months": "0"}, "Months until re-accreditation must be 1 or more"),
        ({"name": "Practitioner"}, "Another level already has this name"),
        ({"name": ""}, "Enter the level&#x27;s name"),
    ],
)
def test_a_level_without_exactly_one_renewal_rule_is_refused(client, cast, changes, message):
    level = foundation()
    client.force_login(cast.staff)
    response = client.post(f"/levels/{level.pk}/edit/", level_data(level, **changes))
    assert response.status_code == 200
    assert message in response.text
    level.refresh_from_db()
    assert (level.name, level.renewal_months, level.cpd_hours_per_year) == ("Foundation", 24, None)
    assert not level.history.filter(history_type="~").exists()  # Nothing saved or recorded.


# Steps


def test_staff_add_a_step_which_goes_last(client, cast):
    level = foundation()
    client.force_login(cast.staff)
    response = client.post(
        f"/levels/{level.pk}/steps/new/", step_data(required_before_assessment="")
    )
    assert response.url == f"/levels/{level.pk}/"
    step = LevelStep.objects.get(name="Foundation refresher")
    assert steps_of(level)[-1] == "Foundation refresher"
    assert step.kind == "module" and step.is_active and not step.required_before_assessment
    assert step.history.get().history_user == cast.staff
    assert "Foundation refresher has been added to Foundation." in client.get(response.url).text


def test_a_step_without_a_name_or_kind_is_refused(client, cast):
    level = foundation()
    client.force_login(cast.staff)
    response = client.post(f"/levels/{level.pk}/steps/new/", step_data(name="  ", kind=""))
    assert "Enter the step&#x27;s name" in response.text
    assert "Choose the kind of step" in response.text
    assert len(steps_of(level)) == 3


def test_staff_edit_a_step_and_its_page_shows_its_history(client, cast):
    level = foundation()
    step = level.steps.get(name="Foundation practice test")
    client.force_login(cast.staff)
    response = client.post(
        f"/levels/{level.pk}/steps/{step.pk}/edit/",
        step_data(name="Foundation mock test", kind="assessment_preparation"),
    )
    assert response.url == f"/levels/{level.pk}/"
    step.refresh_from_db()
    assert step.name == "Foundation mock test" and step.required_before_assessment
    page = client.get(f"/levels/{level.pk}/steps/{step.pk}/edit/").text
    assert "Name: Foundation practice test to Foundation mock test" in page
    assert cast.staff.get_full_name() in page


def test_a_step_of_another_level_is_not_found_through_this_one(client, cast):
    other = factories.level("expert").steps.first()
    client.force_login(cast.staff)
    response = client.get(f"/levels/{foundation().pk}/steps/{other.pk}/edit/")
    assert response.status_code == 404


def test_staff_move_a_step_up_and_down(client, cast):
    level = foundation()
    test = level.steps.get(name="Foundation practice test")
    client.force_login(cast.staff)
    client.post(f"/levels/{level.pk}/steps/{test.pk}/move/", {"direction": "up"})
    assert steps_of(level) == [
        "Foundation practice test",
        "Foundation on-demand learning",
        "Foundation assessment",
    ]
    client.post(f"/levels/{level.pk}/steps/{test.pk}/move/", {"direction": "down"})
    client.post(f"/levels/{level.pk}/steps/{test.pk}/move/", {"direction": "down"})
    assert steps_of(level) == [
        "Foundation on-demand learning",
        "Foundation assessment",
        "Foundation practice test",
    ]
    orders = list(level.steps.order_by("order").values_list("order", flat=True))
    assert orders == [1, 2, 3]
    moves = test.history.filter(history_type="~")
    assert moves.count() == 3 and {move.history_user for move in moves} == {cast.staff}


def test_the_first_step_cannot_move_up(client, cast):
    level = foundation()
    first = level.steps.order_by("order").first()
    client.force_login(cast.staff)
    response = client.post(
        f"/levels/{level.pk}/steps/{first.pk}/move/", {"direction": "up"}, follow=True
    )
    assert "Foundation on-demand learning is already the first step" in response.text
    assert steps_of(level)[0] == "Foundation on-demand learning"


def test_staff_retire_a_step_and_bring_it_back(client, cast):
    level = foundation()
    step = level.steps.get(name="Foundation practice test")
    client.force_login(cast.staff)
    response = client.post(f"/levels/{level.pk}/steps/{step.pk}/retire/", follow=True)
    step.refresh_from_db()
    assert not step.is_active
    assert "Foundation practice test has been retired." in response.text
    assert "Bring back" in response.text
    list_page = client.get("/levels/").text
    assert list_page.count('govuk-table__cell--numeric">2<') == 1  # Foundation: 2 active steps.

    client.post(f"/levels/{level.pk}/steps/{step.pk}/restore/")
    step.refresh_from_db()
    assert step.is_active


def test_a_step_nobody_has_done_can_be_deleted(client, cast):
    level = foundation()
    step = level.steps.get(name="Foundation practice test")
    client.force_login(cast.staff)
    assert (
        "Delete Foundation practice test?"
        in client.get(f"/levels/{level.pk}/steps/{step.pk}/delete/").text
    )
    response = client.post(f"/levels/{level.pk}/steps/{step.pk}/delete/", follow=True)
    assert "Foundation practice test has been deleted." in response.text
    assert not LevelStep.objects.filter(pk=step.pk).exists()


def test_a_step_learners_have_done_can_be_retired_but_not_deleted(client, cast):
    level = foundation()
    step = level.steps.get(name="Foundation practice test")
    factories.StepProgressFactory(learner=cast.learner_a, step=step)
    client.force_login(cast.staff)
    detail = client.get(f"/levels/{level.pk}/").text
    assert f"/levels/{level.pk}/steps/{step.pk}/delete/" not in detail
    response = client.post(f"/levels/{level.pk}/steps/{step.pk}/delete/")
    assert response.status_code == 200
    assert "records include Foundation practice test, so it cannot be deleted." in response.text
    assert LevelStep.objects.filter(pk=step.pk, is_active=True).exists()


def test_a_step_that_sessions_complete_cannot_be_deleted(client, cast):
    level = factories.level("practitioner")
    step = level.steps.filter(kind="workshop").first()
    factories.CohortSessionFactory(cohort=cast.cohort, step=step)
    client.force_login(cast.staff)
    response = client.post(f"/levels/{level.pk}/steps/{step.pk}/delete/")
    assert "cannot be deleted. Retire it instead." in response.text
    assert LevelStep.objects.filter(pk=step.pk).exists()


def test_levels_stay_three_and_keep_their_slugs(client, cast):
    client.force_login(cast.staff)
    level = foundation()
    client.post(f"/levels/{level.pk}/edit/", level_data(level, name="Foundation level"))
    assert AccreditationLevel.objects.get(slug="foundation").name == "Foundation level"
    assert AccreditationLevel.objects.count() == 3
