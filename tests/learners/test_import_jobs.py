"""The web import as a job: confirmed once, imported in bulk by a Celery task from the stored
file, its progress shown on a page that refreshes itself, run at most once, swept up when no
worker took it."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cmpp.accounts.models import Invitation
from cmpp.notifications.models import OutboundEmail
from learners import services
from learners.imports import learners_import_preview
from learners.models import Learner, LearnerImport
from learners.services import imports as import_services
from tests import factories
from tests.learners.test_import_views import confirm, upload
from tests.learners.test_imports import csv_file, good_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def queued_job(cast, data) -> LearnerImport:
    preview, job = services.learner_import_check(source=data, acting_user=cast.staff)
    assert preview.is_valid
    assert services.learner_import_start(job=job)
    job.refresh_from_db()
    return job


def new_rows(cast, count: int, start: int = 0) -> list[str]:
    return [
        f"E06000001,Amira,Khan{n},amira{n}@a.test,,practitioner,{cast.cohort.code}"
        for n in range(start, start + count)
    ]


def test_the_page_says_how_far_the_import_has_gone_and_refreshes_itself(staff_client, cast):
    job = queued_job(cast, csv_file(*good_rows(cast)))
    page = staff_client.get(f"/learners/import/{job.pk}/").text
    assert "<title>Importing learners" in page
    assert "Waiting to start: 3 rows to import" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "reload" not in page and "setTimeout" not in page  # no script of its own

    cache.set(job.progress_key, (4000, 10000))
    page = staff_client.get(f"/learners/import/{job.pk}/").text
    assert "4,000 of 10,000 rows imported" in page
    cache.delete(job.progress_key)


def test_the_job_imports_the_file_once_and_forgets_the_file(cast):
    job = queued_job(cast, csv_file(*good_rows(cast)))
    finished = services.learner_import_run(import_id=job.pk)
    assert (finished.status, finished.added, finished.updated, finished.enrolled) == (
        "done",
        2,
        1,
        1,
    )
    assert bytes(finished.file) == b""
    # A second delivery of the task, or a second confirm, does nothing more.
    assert services.learner_import_run(import_id=job.pk) is None
    assert not services.learner_import_start(job=job)
    assert Learner.objects.filter(email="amira.khan@a.test").count() == 1
    assert Invitation.objects.count() == 2
    assert OutboundEmail.objects.filter(purpose="invitation").count() == 2


def test_a_job_whose_file_went_wrong_since_the_check_imports_nothing_and_says_why(
    staff_client, cast
):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    factories.EnrolmentFactory(
        learner=factories.LearnerFactory(email="amira.khan@a.test"),
        cohort=factories.CohortFactory(),
    )
    page = confirm(staff_client, preview).text
    job = LearnerImport.objects.get()
    assert job.status == "failed" and bytes(job.file) == b""
    assert "Nothing was imported because 1 row is wrong" in page
    assert '<a href="#problem-1">Line 2: ' in page and "already has a place in cohort" in page
    assert not Learner.objects.filter(email="ben.okafor@b.test").exists()


def test_the_result_page_lists_the_first_learners_and_counts_them_all(
    staff_client, cast, monkeypatch
):
    monkeypatch.setattr("learners.csv_views.SHOWN", 2)
    page = confirm(staff_client, upload(staff_client, csv_file(*new_rows(cast, 5)))).text
    assert "5 added<br>0 updated<br>5 enrolled in cohorts" in page
    assert "The first 2 of 5 by name" in page
    assert len(re.findall(r'href="/learners/\d+/"', page)) == 2


def test_every_new_learner_has_one_history_row_one_invitation_and_one_email_each(cast):
    rows = new_rows(cast, 30)
    counts = services.learners_import(
        preview=learners_import_preview(csv_file(*rows)), acting_user=cast.staff
    )
    assert counts.added == 30
    added = Learner.objects.filter(email__startswith="amira")
    history = Learner.history.filter(email__startswith="amira")
    assert history.count() == 30 and {h.history_user for h in history} == {cast.staff}
    assert all(learner.invitation is not None for learner in added)
    assert Invitation.objects.filter(user__email__startswith="amira").count() == 30
    assert OutboundEmail.objects.filter(purpose="invitation").count() == 30
    cohort_places = OutboundEmail.objects.filter(purpose__in=["enrolment", "waiting_list"])
    assert cohort_places.count() == 30


def test_a_full_cohort_fills_its_places_in_file_order_then_its_waiting_list(cast):
    cast.cohort.capacity = cast.cohort.enrolments.count() + 2
    cast.cohort.save()
    services.learners_import(
        preview=learners_import_preview(csv_file(*new_rows(cast, 4))), acting_user=cast.staff
    )
    statuses = [
        Learner.objects.get(email=f"amira{n}@a.test").enrolments.get().status for n in range(4)
    ]
    assert statuses == ["enrolled", "enrolled", "waiting", "waiting"]
    waiting = OutboundEmail.objects.filter(purpose="waiting_list").order_by("to_email")
    assert [e.to_email for e in waiting] == ["amira2@a.test", "amira3@a.test"]
    assert "number 1" in waiting[0].body_text and "number 2" in waiting[1].body_text


def test_the_import_takes_the_same_queries_whatever_the_number_of_rows(cast):
    """Each batch is written in bulk: 300 rows cost what 10 do. (SQLite splits a long INSERT to
    keep under its limit of parameters, so there only the other queries are compared.)"""

    def queries_to_import(rows):
        preview = learners_import_preview(csv_file(*rows))
        with CaptureQueriesContext(connection) as queries:
            services.learners_import(preview=preview, acting_user=cast.staff)
        sql = [query["sql"] for query in queries.captured_queries]
        if connection.vendor == "sqlite":
            sql = [statement for statement in sql if not statement.startswith("INSERT")]
        return len(sql)

    few = queries_to_import(new_rows(cast, 10))
    many = queries_to_import(new_rows(cast, 300, start=10))
    assert Learner.objects.filter(email__startswith="amira").count() == 310
    assert few <= 40
    assert many - few <= 1


def test_the_sweep_queues_again_a_job_no_worker_took_and_deletes_old_unconfirmed_files(
    cast, monkeypatch
):
    queued = []
    monkeypatch.setattr(import_services, "_queue_import", queued.append)
    lost = queued_job(cast, csv_file(good_rows(cast)[0]))
    recent = queued_job(cast, csv_file(good_rows(cast)[1]))
    _, forgotten = services.learner_import_check(
        source=csv_file(good_rows(cast)[2]), acting_user=cast.staff
    )
    _, waiting = services.learner_import_check(
        source=csv_file(good_rows(cast)[2]), acting_user=cast.staff
    )
    long_ago = timezone.now() - timedelta(days=2)
    LearnerImport.objects.filter(pk=lost.pk).update(queued_at=long_ago)
    LearnerImport.objects.filter(pk=forgotten.pk).update(created_at=long_ago)
    queued.clear()

    assert services.learner_imports_sweep() == 1
    assert queued == [lost.pk]
    assert set(LearnerImport.objects.values_list("pk", flat=True)) == {
        lost.pk,
        recent.pk,
        waiting.pk,
    }
