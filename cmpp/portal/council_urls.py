"""Everything under /councils/: the list, the records' forms, support and maturity
(councils.views), and the council page, which combines apps (cmpp.portal.views)."""

from django.urls import path

from cmpp.portal import views as portal_views
from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list_view, name="list"),
    path("new/", views.council_onboard_view, name="onboard"),
    path("support/", views.support_list_view, name="support_list"),
    path("maturity/", views.maturity_list_view, name="maturity_list"),
    path("<int:pk>/", portal_views.council_detail, name="detail"),
    path("<int:pk>/edit/", views.council_edit_view, name="edit"),
    path("<int:pk>/hand-over/", views.council_hand_over_view, name="hand_over"),
    path("<int:pk>/withdraw/", views.council_withdraw_view, name="withdraw"),
    path("<int:pk>/support/new/", views.support_new_view, name="support_new"),
    path(
        "<int:pk>/support/<int:engagement_pk>/edit/",
        views.support_edit_view,
        name="support_edit",
    ),
    path("<int:pk>/maturity/new/", views.maturity_new_view, name="maturity_new"),
    path(
        "<int:pk>/maturity/<int:assessment_pk>/",
        views.maturity_detail_view,
        name="maturity_detail",
    ),
    path(
        "<int:pk>/maturity/<int:assessment_pk>/review/",
        views.maturity_review_view,
        name="maturity_review",
    ),
]
