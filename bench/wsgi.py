"""The portal's WSGI application as `bench/pages.py` serves it: the same application, plus two
things only the benchmark needs, so no app code changes for it.

- Each response carries `X-Bench-Server-Ms`: the time from the request reaching Django to its
  response being ready (Django renders the whole page before it starts the response), so the
  figures leave out the client and the loopback.
- The Django admin lists learners (the portal registers no admin for them), with the same rows,
  columns, page size and order as `/learners/`, for the comparison the page list is held to.
"""

import time

from cmpp.wsgi import application as portal_application


def _register_learner_admin() -> None:
    from django.conf import settings
    from django.contrib import admin

    from learners.models import Learner
    from learners.selectors import LIST_ORDER, with_progress

    if admin.site.is_registered(Learner):
        return

    @admin.register(Learner)
    class LearnerListAdmin(admin.ModelAdmin):
        """The learner list's columns, as an admin would show them: the related names read in
        the same query, the cohort, steps in all and "at risk" as the list annotates them."""

        list_display = [
            "full_name",
            "council",
            "job_title",
            "target_level",
            "cohort",
            "steps",
            "last_progress_on",
            "status_shown",
        ]
        list_select_related = ["council", "target_level"]
        list_per_page = settings.CMPP_PAGE_SIZE
        ordering = list(LIST_ORDER)
        actions = None

        def get_queryset(self, request):
            return with_progress(super().get_queryset(request))

        @admin.display(description="Cohort")
        def cohort(self, learner):
            return learner.current_cohort_name or "None"

        @admin.display(description="Steps done")
        def steps(self, learner):
            return f"{learner.steps_done} of {learner.steps_total}"

        @admin.display(description="Status")
        def status_shown(self, learner):
            status = learner.get_status_display()
            return f"{status}, at risk" if learner.at_risk else status


_register_learner_admin()


def application(environ, start_response):
    started = time.perf_counter()

    def timed_start_response(status, headers, exc_info=None):
        elapsed = (time.perf_counter() - started) * 1000
        return start_response(status, [*headers, ("X-Bench-Server-Ms", f"{elapsed:.3f}")], exc_info)

    return portal_application(environ, timed_start_response)
