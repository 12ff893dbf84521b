"""Everything under /levels/: the accreditation levels and their steps (cohorts.level_views)."""

from django.urls import path

from cohorts import level_views as views

app_name = "levels"

urlpatterns = [
    path("", views.level_list_view, name="list"),
    path("<int:pk>/", views.level_detail_view, name="detail"),
    path("<int:pk>/edit/", views.level_edit_view, name="edit"),
    path("<int:pk>/steps/new/", views.level_step_create_view, name="step_create"),
    path("<int:pk>/steps/<int:step_pk>/edit/", views.level_step_edit_view, name="step_edit"),
    path("<int:pk>/steps/<int:step_pk>/move/", views.level_step_move_view, name="step_move"),
    path("<int:pk>/steps/<int:step_pk>/retire/", views.level_step_retire_view, name="step_retire"),
    path(
        "<int:pk>/steps/<int:step_pk>/restore/", views.level_step_restore_view, name="step_restore"
    ),
    path("<int:pk>/steps/<int:step_pk>/delete/", views.level_step_delete_view, name="step_delete"),
]
