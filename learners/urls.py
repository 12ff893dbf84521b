from django.urls import path

from learners import csv_views, views

app_name = "learners"

urlpatterns = [
    path("", views.learner_list_view, name="list"),
    path("import/", csv_views.learner_import, name="import"),
    path("export.csv", csv_views.learner_export, name="export"),
    path("new/", views.learner_create_view, name="create"),
    path("<int:pk>/", views.learner_detail, name="detail"),
    path("<int:pk>/invitation/", views.learner_invite_view, name="invite"),
]
