from django.urls import path

from learners import csv_views, nomination_views, views

app_name = "learners"

urlpatterns = [
    path("", views.learner_list_view, name="list"),
    path("import/", csv_views.learner_import, name="import"),
    path("import/<int:pk>/", csv_views.learner_import_job, name="import_job"),
    path("export.csv", csv_views.learner_export, name="export"),
    path("new/", views.learner_create_view, name="create"),
    path("nominate/", nomination_views.nominate_view, name="nominate"),
    path("nominations/", nomination_views.nomination_list_view, name="nominations"),
    path(
        "nominations/<int:pk>/",
        nomination_views.nomination_detail_view,
        name="nomination_detail",
    ),
    path(
        "nominations/<int:pk>/approve/",
        nomination_views.nomination_approve_view,
        name="nomination_approve",
    ),
    path(
        "nominations/<int:pk>/decline/",
        nomination_views.nomination_decline_view,
        name="nomination_decline",
    ),
    path("<int:pk>/approve/", views.learner_approve_view, name="approve"),
    path("<int:pk>/", views.learner_detail, name="detail"),
    path("<int:pk>/invitation/", views.learner_invite_view, name="invite"),
    path("<int:pk>/edit/", views.learner_edit_view, name="edit"),
    path("<int:pk>/status/", views.learner_status_view, name="status"),
    path("<int:pk>/steps/", views.learner_step_view, name="step"),
    path("<int:pk>/assessments/new/", views.assessment_book_view, name="assessment_book"),
    path(
        "<int:pk>/assessments/<int:attempt_pk>/result/",
        views.assessment_result_view,
        name="assessment_result",
    ),
    path(
        "<int:pk>/assessments/<int:attempt_pk>/correct/",
        views.assessment_correct_view,
        name="assessment_correct",
    ),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/withdraw/",
        views.enrolment_withdraw_view,
        name="enrolment_withdraw",
    ),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/move/",
        views.enrolment_move_view,
        name="enrolment_move",
    ),
]
