"""People and organisations."""

import pytest
from django.db import IntegrityError

from cmpp.accounts.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_unique_whatever_its_case(db):
    User.objects.create_user("Sam.Smith@Example.gov.uk", "a-long-password")
    assert (
        User.objects.get_by_natural_key("sam.smith@example.gov.uk").email
        == "sam.smith@example.gov.uk"
    )
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAM.SMITH@example.gov.uk")


def test_organisations_arrive_by_migration_with_stable_slugs(db):
    slugs = set(Organisation.objects.values_list("slug", flat=True))
    assert {"dluhc", "local-partnerships", "ccs", "lga"} <= slugs
    managing = set(
        Organisation.objects.filter(can_manage_councils=True).values_list("slug", flat=True)
    )
    assert managing == {"dluhc", "local-partnerships"}
