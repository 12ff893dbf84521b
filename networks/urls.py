from django.urls import path

from networks import resource_urls, views

app_name = "networks"

urlpatterns = [
    path("", views.network_list_view, name="list"),
    path("<int:pk>/", views.network_detail, name="detail"),
    path("<int:pk>/councils/invite/", views.network_invite, name="invite"),
    path(
        "<int:pk>/councils/<int:membership_pk>/members/",
        views.network_council_members,
        name="council_members",
    ),
    path(
        "<int:pk>/councils/<int:membership_pk>/joined/",
        views.network_council_joined,
        name="council_joined",
    ),
    path(
        "<int:pk>/councils/<int:membership_pk>/declined/",
        views.network_council_declined,
        name="council_declined",
    ),
    path(
        "<int:pk>/councils/<int:membership_pk>/remove/",
        views.network_council_remove,
        name="council_remove",
    ),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/meetings/<int:meeting_pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/meetings/<int:meeting_pk>/register/", views.register, name="register"),
]

urlpatterns += resource_urls.urlpatterns
