"""After an import staff see, and can open, each learner it added or changed; before it, the
preview warns when a council would pass its funded places."""

import pytest

from learners.models import Learner
from tests.learners.test_import_views import IMPORT_BUTTON, confirm, upload
from tests.learners.test_imports import csv_file, good_rows

pytestmark = pytest.mark.django_db

URL = "/learners/import/"


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def test_the_result_lists_and_links_the_learners_added_and_updated(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    done = confirm(staff_client, preview).text
    amira = Learner.objects.get(email="amira.khan@a.test")
    ben = Learner.objects.get(email="ben.okafor@b.test")
    added = done.split("Learners added")[1].split("Learners updated")[0]
    assert f'href="/learners/{amira.pk}/">Amira Khan</a>, Council A' in added
    assert f'href="/learners/{ben.pk}/">Ben Okafor</a>, Council B' in added
    updated = done.split("Learners updated")[1]
    assert f'href="/learners/{cast.learner_a.pk}/">Lee Ward</a>' in updated
    assert "Amira Khan" not in updated


def test_a_file_changing_nobody_lists_nobody(staff_client, cast):
    row = "E06000002,Ben,Okafor,ben.okafor@b.test,,foundation,"
    preview = upload(staff_client, csv_file(row))
    confirm(staff_client, preview)
    preview = upload(staff_client, csv_file(row))
    done = confirm(staff_client, preview).text
    assert "0 added" in done
    assert "Learners added" not in done and "Learners updated" not in done


def test_the_preview_warns_when_a_council_would_pass_its_funded_places(staff_client, cast):
    cast.council_a.funded_places = 1
    cast.council_a.save()
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    warning = "Council A would use 2 funded places of its 1: 1 now and 1 more from this file"
    assert warning in preview.text
    # A warning, not a refusal: the file can still be imported.
    assert IMPORT_BUTTON.search(preview.text)
    assert "Council B" not in preview.text.split("Warning</span>")[1].split("</strong>")[0]
    confirm(staff_client, preview)
    assert Learner.objects.filter(email="amira.khan@a.test").exists()


def test_no_warning_within_the_funded_places(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    assert "funded places of its" not in preview.text


def test_a_learner_without_a_cohort_takes_no_funded_place(staff_client, cast):
    cast.council_b.funded_places = 0
    cast.council_b.save()
    # learner_b already holds a place; Ben joins no cohort, so only the existing use is over.
    preview = upload(staff_client, csv_file("E06000002,Ben,Okafor,ben.okafor@b.test,,foundation,"))
    assert "funded places of its" not in preview.text
