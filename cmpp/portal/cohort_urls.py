"""Everything under /cohorts/: the list, the cohort's details and sessions (cohorts.views), and
the cohort page with the roster actions that change learners (cmpp.portal.cohort_views)."""

from django.urls import path

from cmpp.portal import cohort_views
from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list_view, name="list"),
    path("new/", views.cohort_create_view, name="create"),
    path("<int:pk>/", cohort_views.cohort_detail, name="detail"),
    path("<int:pk>/edit/", views.cohort_edit_view, name="edit"),
    path("<int:pk>/start/", views.cohort_start_view, name="start"),
    path("<int:pk>/close/", cohort_views.cohort_close_view, name="close"),
    path("<int:pk>/enrol/", cohort_views.cohort_enrol, name="enrol"),
    path("<int:pk>/steps/", cohort_views.cohort_steps, name="steps"),
    path("<int:pk>/sessions/new/", views.session_create_view, name="session_create"),
    path("<int:pk>/sessions/<int:session_pk>/edit/", views.session_edit_view, name="session_edit"),
    path(
        "<int:pk>/sessions/<int:session_pk>/cancel/",
        views.session_cancel_view,
        name="session_cancel",
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/attendance/",
        cohort_views.cohort_attendance,
        name="attendance",
    ),
]
