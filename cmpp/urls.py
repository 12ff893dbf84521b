"""URL map. Pages that combine several apps are composed in cmpp.reports (DESIGN.md), so the
council and cohort pages are routed there though they sit under /councils/ and /cohorts/."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cmpp.accounts import views as accounts_views
from cmpp.core.views import healthz
from cmpp.reports import views as reports_views
from learners import cohort_views
from learners import views as learners_views

# The admin signs in through allauth's page, so its rate limits and MFA apply there too; its own
# password form is never shown.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", reports_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/invitation/<str:token>/",
        accounts_views.invitation_accept,
        name="invitation_accept",
    ),
    path("accounts/", accounts_views.account_home, name="account_home"),
    # People cannot change their own address: it is their identity on the programme, and a
    # learner record is linked only through a link sent to it. Staff change it for them.
    path("accounts/email/", accounts_views.email_change_closed, name="account_email_closed"),
    path("accounts/", include("allauth.urls")),
    path("councils/", include("councils.urls")),
    path("councils/<int:pk>/", reports_views.council_detail, name="council_detail"),
    path("cohorts/", include("cohorts.urls")),
    path("cohorts/<int:pk>/", reports_views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/enrol/", cohort_views.cohort_enrol, name="cohort_enrol"),
    path("cohorts/<int:pk>/close/", cohort_views.cohort_close_view, name="cohort_close"),
    path("cohorts/<int:pk>/steps/", cohort_views.cohort_steps, name="cohort_steps"),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/attendance/",
        cohort_views.cohort_attendance,
        name="cohort_attendance",
    ),
    path("learners/", include("learners.urls")),
    path("me/", learners_views.me, name="me"),
    path("me/cpd/new/", learners_views.cpd_create_view, name="cpd_create"),
    path("me/cpd/<int:pk>/edit/", learners_views.cpd_edit_view, name="cpd_edit"),
    path("me/cpd/<int:pk>/delete/", learners_views.cpd_delete_view, name="cpd_delete"),
    path("emails/", reports_views.email_log_view, name="email_log"),
    path("emails/<int:pk>/resend/", reports_views.email_resend_view, name="email_resend"),
    path("networks/", include("networks.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
