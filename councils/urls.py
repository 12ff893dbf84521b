from django.urls import path

from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list_view, name="list"),
    path("new/", views.council_onboard_view, name="onboard"),
]
