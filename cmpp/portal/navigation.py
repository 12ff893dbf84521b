"""Service navigation: each role sees only the parts of the portal it may use, decided by the
same rule each list page checks."""

from django.urls import reverse

from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.reports.selectors import user_may_use_reports
from cohorts.selectors import user_may_list_cohorts
from councils.selectors import user_may_list_councils
from learners.selectors import learner_of_user, user_may_list_learners
from networks.selectors import user_may_list_networks


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {"service_navigation": []}
    items = [("Home", reverse("home"))]
    if user_may_list_councils(user):
        items.append(("Councils", reverse("councils:list")))
    if user_may_list_cohorts(user):
        items.append(("Cohorts", reverse("cohorts:list")))
        items.append(("Levels", reverse("levels:list")))
    if user_may_list_learners(user):
        items.append(("Learners", reverse("learners:list")))
    if user_is_programme_staff(user):
        items.append(("Emails", reverse("email_log")))
    if learner_of_user(user=user) is not None:
        items.append(("My accreditation", reverse("me")))
    if user_may_list_networks(user):
        items.append(("Networks", reverse("networks:list")))
    if user_may_use_reports(user):
        items.append(("Reports", reverse("reports:list")))
    items.append(("Your account", reverse("account_home")))
    items.append(("Sign out", reverse("account_logout")))
    path = request.path
    return {
        "service_navigation": [
            {
                "text": text,
                "href": href,
                "active": href != "/" and path.startswith(href) or path == href,
            }
            for text, href in items
        ]
    }
