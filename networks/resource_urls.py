"""The resource library's routes, under /networks/<id>/resources/ (added to networks/urls.py)."""

from django.urls import path

from networks import resource_views

urlpatterns = [
    path("<int:pk>/resources/new/", resource_views.resource_new, name="resource_new"),
    path(
        "<int:pk>/resources/<int:resource_pk>/download/",
        resource_views.resource_download,
        name="resource_download",
    ),
    path(
        "<int:pk>/resources/<int:resource_pk>/delete/",
        resource_views.resource_delete,
        name="resource_delete",
    ),
]
