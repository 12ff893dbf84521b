from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list_view, name="list"),
    path("new/", views.cohort_create_view, name="create"),
    path("<int:pk>/edit/", views.cohort_edit_view, name="edit"),
    path("<int:pk>/start/", views.cohort_start_view, name="start"),
    path("<int:pk>/sessions/new/", views.session_create_view, name="session_create"),
    path("<int:pk>/sessions/<int:session_pk>/edit/", views.session_edit_view, name="session_edit"),
    path(
        "<int:pk>/sessions/<int:session_pk>/cancel/",
        views.session_cancel_view,
        name="session_cancel",
    ),
]
