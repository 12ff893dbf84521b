"""Onboarding a council welcomes its SRO, inviting them if they cannot yet sign in."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from councils import services
from councils.models import Council, CouncilRole
from tests import factories

pytestmark = pytest.mark.django_db


def onboard(staff, **overrides):
    fields = {
        "name": "Slough Borough Council",
        "code": "e06000039",
        "council_type": Council.CouncilType.UNITARY,
        "region": Council.Region.SOUTH_EAST,
        "managing_body": factories.organisation("local-partnerships"),
        "funded_places": 8,
        "onboarded_on": date(2026, 11, 2),
        "sro_first_name": "Dev",
        "sro_last_name": "Patel",
        "sro_email": "Dev.Patel@slough.example.gov.uk",
        "acting_user": staff,
    }
    return services.council_onboard(**{**fields, **overrides})


def test_a_new_sro_gets_a_welcome_and_their_own_invitation(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        council = onboard(cast.staff)
    assert council.code == "E06000039" and council.status == Council.Status.ONBOARDED
    assert council.managing_body_periods.get().organisation.slug == "local-partnerships"
    role = CouncilRole.objects.get(council=council)
    assert role.user.email == "dev.patel@slough.example.gov.uk"
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "Slough Borough Council has joined the Contract Management Pioneer Programme",
        "Your invitation to the Contract Management Pioneer Programme portal",
    ]
    welcome = next(m for m in mail.outbox if "joined" in m.subject)
    assert "managed by Local Partnerships" in welcome.body
    assert "8 funded training places" in welcome.body
    assert "separate email with a link to set your password" in welcome.body
    assert council.history.first().history_user == cast.staff


def test_an_sro_who_already_signs_in_is_welcomed_without_an_invitation(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        onboard(cast.staff, sro_email="SRO@A.TEST")
    [welcome] = mail.outbox
    assert welcome.to == ["sro@a.test"]
    assert "Sign in with your usual email address" in welcome.body


def test_a_bad_council_saves_nothing_and_sends_nothing(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        onboard(cast.staff, code=cast.council_a.code)
    assert not Council.objects.filter(name="Slough Borough Council").exists()
    assert mail.outbox == []
