"""councils_visible_to: programme staff and viewers see every council, an SRO only their own."""

import pytest

from councils.selectors import council_list, councils_visible_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_programme_users_see_every_council(cast, who):
    visible = set(councils_visible_to(getattr(cast, who)))
    assert {cast.council_a, cast.council_b} <= visible


def test_it_lets_the_sro_see_their_council(cast):
    assert list(councils_visible_to(cast.sro_a)) == [cast.council_a]


def test_it_hides_another_councils_record_from_an_sro(cast):
    assert cast.council_b not in councils_visible_to(cast.sro_a)
    assert cast.council_a not in councils_visible_to(cast.sro_b)


@pytest.mark.parametrize("who", ["learner_a_user", "nobody"])
def test_learners_and_people_without_a_role_see_no_council(cast, who):
    assert not councils_visible_to(getattr(cast, who)).exists()


def test_anonymous_sees_no_council(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not councils_visible_to(AnonymousUser()).exists()


def test_search_finds_by_name_or_code_within_what_the_user_may_see(cast):
    assert list(council_list(user=cast.staff, q="council b")) == [cast.council_b]
    assert list(council_list(user=cast.staff, q="e06000001")) == [cast.council_a]
    assert list(council_list(user=cast.sro_a, q="E06000002")) == []


def test_list_shows_the_current_managing_body(cast):
    council = council_list(user=cast.staff, q="Council A").get()
    assert council.current_body_name == "MHCLG"


def test_search_finds_a_council_by_the_words_of_its_name_in_any_order(cast):
    cast.council_a.name = "King\u2019s Lynn and West Norfolk"
    cast.council_a.save()
    assert list(council_list(user=cast.staff, q="west king's lynn")) == [cast.council_a]
    assert list(council_list(user=cast.staff, q="Lynn King\u2019s")) == [cast.council_a]
    assert list(council_list(user=cast.staff, q="Lynn Council B")) == []
