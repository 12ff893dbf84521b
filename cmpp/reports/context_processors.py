"""Service navigation: each role sees only the parts of the portal it may use."""

from django.urls import reverse

from cmpp.reports.selectors import roles_of


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {"service_navigation": []}
    roles = roles_of(user)
    items = [("Home", reverse("home"))]
    if roles.sees_whole_programme or roles.is_sro:
        items.append(("Councils", reverse("councils:list")))
    if roles.sees_whole_programme:
        items.append(("Cohorts", reverse("cohorts:list")))
    if roles.sees_whole_programme or roles.is_sro:
        items.append(("Learners", reverse("learners:list")))
    if roles.is_programme_staff:
        items.append(("Emails", reverse("email_log")))
    if roles.is_learner:
        items.append(("My accreditation", reverse("me")))
    if roles.sees_whole_programme or roles.is_sro or roles.is_learner:
        items.append(("Networks", reverse("networks:list")))
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
