"""URL map: each prefix is routed by one urls.py (see docs/architecture.md). Pages that combine
apps live in cmpp.portal, which therefore routes /, /councils/, /cohorts/ and /emails/."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cmpp.core.views import healthz, healthz_web

# The admin signs in through allauth's page, so its rate limits and MFA apply there too; its own
# password form is never shown.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("cmpp.portal.urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/web", healthz_web, name="healthz_web"),
    path("accounts/", include("cmpp.accounts.urls")),
    path("councils/", include("cmpp.portal.council_urls")),
    path("cohorts/", include("cmpp.portal.cohort_urls")),
    path("levels/", include("cohorts.urls")),
    path("learners/", include("learners.urls")),
    path("me/", include("learners.me_urls")),
    path("networks/", include("networks.urls")),
    path("reports/", include("cmpp.reports.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
