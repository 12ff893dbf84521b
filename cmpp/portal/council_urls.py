"""Everything under /councils/: the list and the records' forms (councils.views), and the council
page, which combines apps (cmpp.portal.views)."""

from django.urls import path

from cmpp.portal import views as portal_views
from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list_view, name="list"),
    path("new/", views.council_onboard_view, name="onboard"),
    path("<int:pk>/", portal_views.council_detail, name="detail"),
    path("<int:pk>/edit/", views.council_edit_view, name="edit"),
    path("<int:pk>/hand-over/", views.council_hand_over_view, name="hand_over"),
    path("<int:pk>/withdraw/", views.council_withdraw_view, name="withdraw"),
]
