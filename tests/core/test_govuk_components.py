"""The GOV.UK header, navigation and footer render from one shared Jinja environment."""

import pytest
from govuk_frontend_django.components import base

pytestmark = pytest.mark.django_db


def test_components_share_one_environment_and_still_render(client, cast):
    assert base.Environment() is base.Environment()
    client.force_login(cast.staff)
    page = client.get("/").text
    assert 'class="govuk-header' in page and 'class="govuk-service-navigation' in page
    assert 'class="govuk-footer' in page
