"""The learner import in the browser: staff upload a file, check the preview, confirm, watch the
job's page follow the import without reloading, and land on its result."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from learners import services
from learners.models import Learner, LearnerImport
from learners.tasks import learner_import_task
from tests.browser.test_report_journey import sign_in

pytestmark = pytest.mark.browser

# The import's page refreshes itself every 3 seconds (templates/learners/import_progress.html).
REFRESH_WAIT_MS = 10_000
HEADER = "council_code,first_name,last_name,email,job_title,target_level,cohort_code"


def test_staff_import_a_file_and_watch_it_finish(
    browser, live_server, reference_data, cast, monkeypatch, tmp_path, screenshot
):
    rows = [
        f"{cast.council_a.code},Amira,Khan,amira.khan@a.test,Contract manager,practitioner,"
        f"{cast.cohort.code}",
        f"{cast.council_b.code},Ben,Okafor,ben.okafor@b.test,,foundation,",
    ]
    upload = tmp_path / "learners.csv"
    upload.write_text("\r\n".join([HEADER, *rows]) + "\r\n")
    # Leave the job queued after the confirm, so the page can be seen following it.
    monkeypatch.setattr(learner_import_task, "delay", lambda *args, **kwargs: None)

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, cast.staff.email)
    page.goto(f"{live_server.url}/learners/import/")
    # GOV.UK Frontend draws its own button over the file input; the file goes to the input.
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the file before you import it")
    expect(page.get_by_role("table", name=re.compile("^Learners to add: 2"))).to_be_visible()
    page.get_by_role("button", name="Import learners").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Importing learners")
    expect(page.locator("#import-progress")).to_have_text("Waiting to start: 2 rows to import")
    job = LearnerImport.objects.get()
    cache.set(job.progress_key, (1, 2))
    expect(page.locator("#import-progress")).to_have_text(
        "1 of 2 rows imported", timeout=REFRESH_WAIT_MS
    )
    screenshot(page, "import-1-progress")

    # A worker runs the job; the page, left alone, refreshes itself until it shows the result.
    assert services.learner_import_run(import_id=job.pk).status == LearnerImport.Status.DONE
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Learners imported", timeout=REFRESH_WAIT_MS
    )
    expect(page.locator(".govuk-panel__body")).to_contain_text("2 added")
    expect(page.get_by_role("link", name="Amira Khan")).to_be_visible()
    screenshot(page, "import-2-done")

    assert Learner.objects.filter(email="amira.khan@a.test").count() == 1
