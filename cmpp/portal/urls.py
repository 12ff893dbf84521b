"""The portal's own pages: each role's home, the email log, and the accessibility statement and
privacy notice that every page's footer links to."""

from django.urls import path

from cmpp.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility_view, name="accessibility"),
    path("privacy/", views.privacy_view, name="privacy"),
    path("emails/", views.email_log_view, name="email_log"),
    path("emails/<int:pk>/", views.email_detail_view, name="email_detail"),
    path("emails/<int:pk>/resend/", views.email_resend_view, name="email_resend"),
]
