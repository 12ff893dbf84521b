"""Council rules the database holds, whatever code writes to it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from councils.models import (
    Council,
    ManagingBodyPeriod,
    MaturityArea,
    MaturityAssessment,
    MaturityScore,
)
from councils.services import council_hand_over
from tests import factories

pytestmark = pytest.mark.django_db


def test_council_codes_are_unique(db):
    factories.CouncilFactory(code="E06000038")
    with pytest.raises(IntegrityError):
        factories.CouncilFactory(code="E06000038")


def test_an_onboarded_council_needs_its_onboarding_date(db):
    council = Council(
        name="Nowhere", code="E06999999", council_type="unitary", region="london", status="active"
    )
    with pytest.raises(ValidationError, match="needs the date it was onboarded"):
        council.full_clean()


def test_a_council_has_one_current_managing_body(db):
    council = factories.CouncilFactory()
    with pytest.raises(IntegrityError):
        ManagingBodyPeriod.objects.create(
            council=council,
            organisation=factories.organisation("local-partnerships"),
            starts_on=date(2024, 1, 1),
        )


def test_a_period_cannot_end_before_it_starts(db):
    council = factories.CouncilFactory(onboarded_on=date(2022, 6, 1))
    period = council.managing_body_periods.get()
    period.ends_on = date(2022, 1, 1)
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        period.full_clean()


def test_hand_over_closes_one_period_and_opens_the_next(cast):
    lp = factories.organisation("local-partnerships")
    council_hand_over(
        council=cast.council_a, to_organisation=lp, on=date(2024, 4, 1), acting_user=cast.staff
    )
    periods = list(cast.council_a.managing_body_periods.order_by("starts_on"))
    assert [(p.organisation.slug, p.starts_on, p.ends_on) for p in periods] == [
        ("dluhc", date(2022, 1, 10), date(2024, 4, 1)),
        ("local-partnerships", date(2024, 4, 1), None),
    ]
    assert periods[1].history.first().history_user == cast.staff


def test_hand_over_before_the_current_period_began_is_refused_and_changes_nothing(cast):
    lp = factories.organisation("local-partnerships")
    with pytest.raises(ValidationError):
        council_hand_over(
            council=cast.council_a, to_organisation=lp, on=date(2020, 1, 1), acting_user=cast.staff
        )
    assert cast.council_a.managing_body_periods.get().ends_on is None


def test_maturity_scores_run_from_1_to_5(db):
    assessment = MaturityAssessment.objects.create(
        council=factories.CouncilFactory(), kind="baseline", assessed_on=date(2022, 3, 1)
    )
    score = MaturityScore(assessment=assessment, area=MaturityArea.objects.first(), score=6)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        score.full_clean()


def test_a_council_has_one_baseline_assessment(db):
    council = factories.CouncilFactory()
    MaturityAssessment.objects.create(
        council=council, kind="baseline", assessed_on=date(2022, 3, 1)
    )
    with pytest.raises(IntegrityError):
        MaturityAssessment.objects.create(
            council=council, kind="baseline", assessed_on=date(2023, 3, 1)
        )
