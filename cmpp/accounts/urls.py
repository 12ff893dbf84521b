"""Everything under /accounts/: the portal's own account pages, then allauth's."""

from django.urls import include, path

from cmpp.accounts import views

urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("", views.account_home, name="account_home"),
    # People cannot change their own address: it is their identity on the programme, and a
    # learner record is linked only through a link sent to it. Staff change it for them.
    path("email/", views.email_change_closed, name="account_email_closed"),
    path("", include("allauth.urls")),
]
