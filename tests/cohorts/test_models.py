"""Cohort and level rules the database holds."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cohorts.models import AccreditationLevel, LevelStep
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_level_has_exactly_one_renewal_rule(db):
    level = AccreditationLevel(
        slug="extra", name="Extra", order=9, renewal_months=24, cpd_hours_per_year=30
    )
    with pytest.raises(ValidationError, match="one renewal rule"):
        level.full_clean()


def test_steps_of_a_level_have_unique_order(db):
    practitioner = factories.level("practitioner")
    with pytest.raises(IntegrityError):
        LevelStep.objects.create(level=practitioner, order=1, name="Duplicate", kind="module")


def test_a_cohort_cannot_end_before_it_starts(db):
    cohort = factories.CohortFactory.build(starts_on=date(2026, 1, 1), ends_on=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        cohort.full_clean()


def test_a_cohort_needs_room_for_a_learner(db):
    cohort = factories.CohortFactory.build(capacity=0)
    with pytest.raises(ValidationError, match="at least one learner"):
        cohort.full_clean()


def test_cohort_codes_are_unique(db):
    factories.CohortFactory(code="PRAC-2111-1")
    with pytest.raises(IntegrityError):
        factories.CohortFactory(code="PRAC-2111-1")
