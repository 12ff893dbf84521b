"""Learner rules the database holds."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from learners.models import CpdEntry, Enrolment, StepProgress
from tests import factories

pytestmark = pytest.mark.django_db


def test_learner_email_is_unique_whatever_its_case(db):
    factories.LearnerFactory(email="jo.bloggs@reading.gov.uk")
    with pytest.raises(IntegrityError):
        factories.LearnerFactory(email="Jo.Bloggs@Reading.gov.uk")


def test_a_learner_has_one_open_enrolment_per_level(cast):
    second = factories.CohortFactory()
    with pytest.raises(IntegrityError):
        factories.EnrolmentFactory(
            learner=cast.learner_a, cohort=second, status=Enrolment.Status.WAITING
        )


def test_a_closed_enrolment_leaves_room_for_the_next(cast):
    cast.learner_a.enrolments.update(status=Enrolment.Status.DEFERRED)
    factories.EnrolmentFactory(learner=cast.learner_a, cohort=factories.CohortFactory())
    assert cast.learner_a.enrolments.count() == 2


def test_an_enrolment_takes_its_cohorts_level(cast):
    enrolment = Enrolment(
        learner=cast.learner_a,
        cohort=factories.CohortFactory(level=factories.level("expert")),
        level=factories.level("practitioner"),
        enrolled_on=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError, match="cohort's level"):
        enrolment.full_clean()


def test_a_completed_step_needs_its_date(cast):
    progress = factories.StepProgressFactory.build(
        learner=cast.learner_a, status=StepProgress.Status.COMPLETED, completed_on=None
    )
    with pytest.raises(ValidationError, match="needs the date"):
        progress.full_clean()


def test_one_progress_row_per_learner_and_step(cast):
    first = factories.StepProgressFactory(learner=cast.learner_a)
    with pytest.raises(IntegrityError):
        factories.StepProgressFactory(learner=cast.learner_a, step=first.step)


def test_one_pending_assessment_per_level(cast):
    factories.AssessmentAttemptFactory(learner=cast.learner_a)
    with pytest.raises(IntegrityError):
        factories.AssessmentAttemptFactory(learner=cast.learner_a, booked_for=date(2026, 5, 1))


@pytest.mark.parametrize("hours", ["0", "24.5", "-1"])
def test_cpd_hours_fit_in_a_day(cast, hours):
    entry = CpdEntry(
        learner=cast.learner_a, done_on=date(2026, 6, 1), hours=Decimal(hours), activity="Reading"
    )
    with pytest.raises(ValidationError, match="no more than 24"):
        entry.full_clean()
