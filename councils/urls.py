from django.urls import path

from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list_view, name="list"),
    path("new/", views.council_onboard_view, name="onboard"),
    path("<int:pk>/edit/", views.council_edit_view, name="edit"),
    path("<int:pk>/hand-over/", views.council_hand_over_view, name="hand_over"),
    path("<int:pk>/withdraw/", views.council_withdraw_view, name="withdraw"),
]
