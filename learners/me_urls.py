"""Everything under /me/: a learner's own accreditation status and CPD log."""

from django.urls import path

from learners import views

urlpatterns = [
    path("", views.me, name="me"),
    path("cpd/new/", views.cpd_create_view, name="cpd_create"),
    path("cpd/<int:pk>/edit/", views.cpd_edit_view, name="cpd_edit"),
    path("cpd/<int:pk>/delete/", views.cpd_delete_view, name="cpd_delete"),
]
