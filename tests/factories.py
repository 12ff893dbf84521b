"""Factories for portal records; reference data (levels, organisations) comes by migration."""

from datetime import date, timedelta

import factory
from django.utils import timezone
from faker import Faker

from cmpp.accounts.models import Organisation, StaffMembership, User
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep
from councils.models import Council, CouncilRole, ManagingBodyPeriod
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    Enrolment,
    Learner,
    Nomination,
    StepProgress,
)
from learners.services import learner_refresh_progress

PASSWORD = "correct-horse-battery"


_faker = Faker("en_GB")


def plain_name(kind: str) -> str:
    """A random British name without an apostrophe, which HTML escapes: a test that looks for a
    name on a page would otherwise fail now and then (O'Neill). Tests of apostrophes use their
    own names."""
    return getattr(_faker, kind)().replace("'", "")


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def level(slug: str) -> AccreditationLevel:
    return AccreditationLevel.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    first_name = factory.LazyFunction(lambda: plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: plain_name("last_name"))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.LazyFunction(lambda: organisation("dluhc"))
    role = StaffMembership.Role.PROGRAMME_STAFF


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    code = factory.Sequence(lambda n: f"E0{n:07d}")
    council_type = Council.CouncilType.UNITARY
    region = Council.Region.SOUTH_EAST
    status = Council.Status.ACTIVE
    onboarded_on = date(2022, 1, 10)
    funded_places = 10

    @factory.post_generation
    def managed_by(obj, create, extracted, **kwargs):
        if create and obj.onboarded_on:
            ManagingBodyPeriod.objects.create(
                council=obj,
                organisation=extracted or organisation("dluhc"),
                starts_on=obj.onboarded_on,
            )


class CouncilRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilRole

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(UserFactory)
    role = CouncilRole.Role.SRO


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    code = factory.Sequence(lambda n: f"PRAC-{n:03d}")
    name = factory.Sequence(lambda n: f"Practitioner cohort {n}")
    level = factory.LazyFunction(lambda: level("practitioner"))
    starts_on = date(2025, 9, 1)
    ends_on = date(2026, 3, 31)
    capacity = 30
    delivery_organisation = factory.LazyFunction(lambda: organisation("gcc"))
    status = Cohort.Status.RUNNING


class CohortSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortSession

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    location = "Online"


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learner

    council = factory.SubFactory(CouncilFactory)
    first_name = factory.LazyFunction(lambda: plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: plain_name("last_name"))
    email = factory.Sequence(lambda n: f"learner{n}@council.example.gov.uk")
    job_title = "Contract manager"
    target_level = factory.LazyFunction(lambda: level("practitioner"))
    status = Learner.Status.ACTIVE


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    council = factory.SubFactory(CouncilFactory)
    first_name = "Nia"
    last_name = "Evans"
    email = factory.Sequence(lambda n: f"nominee{n}@council.example.gov.uk")
    target_level = factory.LazyFunction(lambda: level("practitioner"))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    learner = factory.SubFactory(LearnerFactory)
    cohort = factory.SubFactory(CohortFactory)
    level = factory.LazyAttribute(lambda o: o.cohort.level)
    enrolled_on = date(2025, 8, 1)


class StepProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepProgress

    learner = factory.SubFactory(LearnerFactory)
    step = factory.LazyAttribute(
        lambda o: LevelStep.objects.filter(level=o.learner.target_level).order_by("order").first()
    )
    status = StepProgress.Status.COMPLETED
    completed_on = date(2025, 10, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the services save progress: the learner's stored steps and date follow."""
        progress = super()._create(model_class, *args, **kwargs)
        learner_refresh_progress(learner_ids=[progress.learner_id])
        return progress


class AssessmentAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentAttempt

    learner = factory.SubFactory(LearnerFactory)
    level = factory.LazyAttribute(lambda o: o.learner.target_level)
    booked_for = date(2026, 2, 1)


class AccreditationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accreditation

    learner = factory.SubFactory(LearnerFactory)
    level = factory.LazyAttribute(lambda o: o.learner.target_level)
    achieved_on = date(2026, 3, 1)
