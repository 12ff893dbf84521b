"""Everything under /reports/: asking for, following and downloading progress reports, and
a learner's subject access request (a ZIP of their records)."""

from django.urls import path

from cmpp.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/data/", views.report_data, name="data"),
    path("<int:pk>/retry/", views.report_retry_view, name="retry"),
    path("<int:pk>/delete/", views.report_delete_view, name="delete"),
    path(
        "learners/<int:pk>/subject-access/",
        views.subject_access_download,
        name="subject_access",
    ),
]
