"""Who gets into every page the project defines: one table of expected answers per route, role
and method, checked against the URL resolver so that a new route without a row fails."""

import csv
import functools
import io
import re
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cmpp.notifications.models import OutboundEmail
from learners.models import CpdEntry, Enrolment
from networks.models import Network
from tests import factories

ROLES = ("anonymous", "learner_a", "learner_b", "sro_a", "sro_b", "viewer", "staff")
METHODS = ("GET", "POST")
LOGIN = "login"  # 302 to /accounts/login/?next=<the path asked for>

# Third-party routes left out of the table, each with why. Everything else needs a row.
EXCLUDED = {
    "admin": "Django admin: guarded by is_staff/is_superuser in Django itself, not by the portal",
    "allauth": "allauth's own sign-in, password and MFA pages (names account_*, mfa_*, "
    "socialaccount_*): its views, its access rules",
    "static": "static and media file serving (none is routed today: WhiteNoise serves static)",
}
ALLAUTH_NAME_PREFIXES = ("account_", "mfa_", "socialaccount_")
STATIC_VIEW_MODULES = ("django.views.static", "django.contrib.staticfiles.views")

# Every project route, with the answer each role gets to GET and (after the bar) to POST with an
# empty body; columns: anonymous, learner A, learner B, SRO A, SRO B, viewer, staff.
# Records: council A, learner A (the cast's), the cast's cohort and a session of it, learner A's
# enrolment in it, learner A's pending assessment, learner A's CPD entry, an outbound email, the
# SRO Network, and a made-up invitation token. A view decorated require_GET / require_POST
# answers 405 to the other method, recorded here (for anonymous too where that decorator is
# outside login_required). 302 is a redirect that is not to sign-in (a POST that acted).
# /me/ is the asker's own learner record: someone with none asks for a record that is not
# there, so 404 (DESIGN), not 403.
# fmt: off
EXPECTED = {
    # route                        anon  la  lb  sa  sb  vw  st  | anon  la  lb  sa  sb  vw  st
    "home":                       "login 302 302 200 200 200 200 | 405   405 405 405 405 405 405",
    "healthz":                    "200   200 200 200 200 200 200 | 405   405 405 405 405 405 405",
    "invitation_accept":          "302   302 302 302 302 302 302 | 302   302 302 302 302 302 302",
    "account_home":               "login 200 200 200 200 200 200 | login 200 200 200 200 200 200",
    "account_email_closed":       "404   404 404 404 404 404 404 | 404   404 404 404 404 404 404",
    "councils:list":              "login 403 403 200 200 200 200 | 405   405 405 405 405 405 405",
    "councils:onboard":           "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "councils:edit":              "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "councils:hand_over":         "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "councils:withdraw":          "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "councils:detail":             "login 404 404 200 404 200 200 | 405   405 405 405 405 405 405",
    "cohorts:list":               "login 403 403 403 403 200 200 | 405   405 405 405 405 405 405",
    "cohorts:create":             "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "cohorts:edit":               "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "cohorts:start":              "405   405 405 405 405 405 405 | login 403 403 403 403 403 302",
    "cohorts:session_create":     "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "cohorts:session_edit":       "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "cohorts:session_cancel":     "405   405 405 405 405 405 405 | login 403 403 403 403 403 302",
    "cohorts:detail":              "login 404 404 404 404 200 200 | 405   405 405 405 405 405 405",
    "cohorts:enrol":               "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "cohorts:close":               "login 403 403 403 403 403 200 | login 403 403 403 403 403 302",
    "cohorts:steps":               "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "cohorts:attendance":          "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:list":              "login 403 403 200 200 200 200 | 405   405 405 405 405 405 405",
    "learners:import":            "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:export":            "login 403 403 200 200 200 200 | 405   405 405 405 405 405 405",
    "learners:create":            "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:nominate":          "login 403 403 200 200 403 403 | login 403 403 200 200 403 403",
    "learners:approve":           "405   405 405 405 405 405 405 | login 403 403 403 403 403 302",
    "learners:nominations":       "login 403 403 403 403 200 200 | 405   405 405 405 405 405 405",
    "learners:nomination_detail": "login 403 403 403 403 200 200 | 405   405 405 405 405 405 405",
    "learners:nomination_approve":"405   405 405 405 405 405 405 | login 403 403 403 403 403 302",
    "learners:nomination_decline":"login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:detail":            "login 200 404 200 404 200 200 | 405   405 405 405 405 405 405",
    "learners:invite":            "405   405 405 405 405 405 405 | login 403 403 403 403 403 302",
    "learners:edit":              "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:status":            "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:step":              "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:assessment_book":   "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:assessment_result": "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:enrolment_withdraw":"login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "learners:enrolment_move":    "login 403 403 403 403 403 200 | login 403 403 403 403 403 200",
    "me":                         "login 200 200 404 404 404 404 | 405   405 405 405 405 405 405",
    "cpd_create":                 "login 200 200 404 404 404 404 | login 200 200 404 404 404 404",
    "cpd_edit":                   "login 200 404 404 404 404 404 | login 200 404 404 404 404 404",
    "cpd_delete":                 "login 200 404 404 404 404 404 | login 302 404 404 404 404 404",
    "email_log":                  "login 403 403 403 403 403 200 | 405   405 405 405 405 405 405",
    "email_resend":               "405   405 405 405 405 405 405 | login 403 403 403 403 403 302",
    "networks:list":              "login 200 200 200 200 200 200 | 405   405 405 405 405 405 405",
    "networks:detail":            "login 404 404 200 200 200 200 | 405   405 405 405 405 405 405",
}
# fmt: on


def _parse(row: str) -> dict[str, dict[str, object]]:
    halves = row.split("|")
    assert len(halves) == len(METHODS), row
    table = {}
    for method, half in zip(METHODS, halves, strict=True):
        cells = half.split()
        assert len(cells) == len(ROLES), row
        table[method] = {
            role: cell if cell == LOGIN else int(cell)
            for role, cell in zip(ROLES, cells, strict=True)
        }
    return table


TABLE = {route: _parse(row) for route, row in EXPECTED.items()}


# The URL map -----------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            route = f"{namespace}:{name}" if namespace else name
            yield route, namespace, prefix + str(entry.pattern), entry.callback


def _excluded_because(namespace: str, route: str, callback) -> str | None:
    module = getattr(callback, "__module__", "") or ""
    name = route.rsplit(":", 1)[-1]
    if namespace.split(":")[0] == "admin":
        return "admin"
    if module.startswith("allauth.") and name.startswith(ALLAUTH_NAME_PREFIXES):
        return "allauth"
    if module in STATIC_VIEW_MODULES:
        return "static"
    return None


@functools.cache
def project_routes() -> dict[str, str]:
    """Route name -> its path pattern, for every route the project defines."""
    routes = {}
    for route, namespace, pattern, callback in _walk(get_resolver().url_patterns):
        if _excluded_because(namespace, route, callback) is None:
            assert route not in routes, f"two patterns are both named {route}"
            routes[route] = pattern
    return routes


def test_every_project_route_has_a_row_and_every_row_a_route():
    routes = set(project_routes())
    missing = sorted(routes - set(EXPECTED))
    stale = sorted(set(EXPECTED) - routes)
    assert not missing, f"routes with no row in EXPECTED: {missing}"
    assert not stale, f"rows in EXPECTED for routes that no longer exist: {stale}"


def test_the_exclusions_leave_out_only_third_party_pages():
    """account_home is the portal's own page though its name starts like allauth's."""
    kept = project_routes()
    assert "account_home" in kept and "admin:index" not in kept and "account_login" not in kept
    for route, namespace, _, callback in _walk(get_resolver().url_patterns):
        reason = _excluded_because(namespace, route, callback)
        if reason is not None:
            assert reason in EXCLUDED
            assert not callback.__module__.startswith(
                ("cmpp", "councils", "cohorts", "learners", "networks")
            ), route


# The records each route's arguments are filled from -------------------------------------------


@pytest.fixture
def records(cast):
    """Everything a route can name, all belonging to council A, learner A or the shared cohort."""
    learner_a = cast.learner_a
    # Names no page shows by chance, so that a page naming them has leaked them.
    learner_a.first_name, learner_a.last_name = "Alvaqx", "Quarrendonqx"
    learner_a.save(update_fields=["first_name", "last_name"])
    cast.council_a.name = "Aqxbury Council"
    cast.council_a.save(update_fields=["name"])
    return SimpleNamespace(
        cast=cast,
        session=factories.CohortSessionFactory(cohort=cast.cohort),
        enrolment=Enrolment.objects.get(learner=learner_a, cohort=cast.cohort),
        attempt=factories.AssessmentAttemptFactory(learner=learner_a),
        cpd=CpdEntry.objects.create(
            learner=learner_a, done_on=date(2026, 1, 15), hours=3, activity="Contract review"
        ),
        email=OutboundEmail.objects.create(
            key="access-matrix:learner@a.test",
            purpose=OutboundEmail.Purpose.INVITATION,
            to_email="learner@a.test",
            subject="Your invitation",
            body_text="Hello",
            status=OutboundEmail.Status.FAILED,
            attempts=3,
        ),
        network=Network.objects.get(audience=Network.Audience.SROS),
        nomination=factories.NominationFactory(council=cast.council_a, nominated_by=cast.sro_a),
    )


def url_for(route: str, pattern: str, records) -> str:
    """The route's URL with its arguments taken from `records`. `pk` is named by the first
    path segment (whose page it is); the other arguments by their own names."""
    cast = records.cast
    pk_by_segment = {
        "councils": cast.council_a.pk,
        "cohorts": cast.cohort.pk,
        "learners": cast.learner_a.pk,
        "me": records.cpd.pk,
        "emails": records.email.pk,
        "networks": records.network.pk,
    }
    by_name = {
        "session_pk": records.session.pk,
        "attempt_pk": records.attempt.pk,
        "enrolment_pk": records.enrolment.pk,
        "token": "made-up-invitation-token",
    }
    kwargs = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
        if name == "pk" and pattern.startswith("learners/nominations/"):
            kwargs[name] = records.nomination.pk
        elif name == "pk":
            kwargs[name] = pk_by_segment[pattern.split("/")[0]]
        else:
            assert name in by_name, f"{route}: say in url_for how to fill <{name}>"
            kwargs[name] = by_name[name]
    return reverse(route, kwargs=kwargs)


def user_for(role: str, cast):
    return {
        "anonymous": None,
        "learner_a": cast.learner_a_user,
        "learner_b": cast.learner_b_user,
        "sro_a": cast.sro_a,
        "sro_b": cast.sro_b,
        "viewer": cast.viewer,
        "staff": cast.staff,
    }[role]


def request_as(client, cast, role, method, url):
    user = user_for(role, cast)
    if user is not None:
        client.force_login(user)
    return client.get(url) if method == "GET" else client.post(url, {})


def answer_of(response, url) -> object:
    """The status, or "login" for a redirect to sign in that comes back to `url`."""
    if response.status_code == 302:
        location = urlsplit(response["Location"])
        if location.path == reverse("account_login"):
            assert parse_qs(location.query).get("next") == [url], response["Location"]
            return LOGIN
    return response.status_code


# The matrix ------------------------------------------------------------------------------------

CELLS = [
    pytest.param(route, role, method, id=f"{route}-{method}-{role}")
    for route in EXPECTED
    for method in METHODS
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role", "method"), CELLS)
def test_access_matrix(client, records, route, role, method):
    routes = project_routes()
    if route not in routes:
        pytest.fail(f"{route} is in EXPECTED but no longer routed")
    url = url_for(route, routes[route], records)
    response = request_as(client, records.cast, role, method, url)
    assert answer_of(response, url) == TABLE[route][method][role], f"{method} {url} as {role}"
    if role in ("anonymous", "learner_b", "sro_b"):
        assert_names_nothing_of_a(records.cast, body_of(response), f"{method} {url} as {role}")


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def assert_names_nothing_of_a(cast, body: str, where: str):
    """Whatever the page, someone who may not see council A's records reads nothing of them."""
    for text in (
        cast.learner_a.first_name,
        cast.learner_a.last_name,
        cast.learner_a.email,
        cast.council_a.name,
    ):
        assert text not in body, f"{where} shows {text!r}"


# The leak rule, spelled out --------------------------------------------------------------------


def _staff_only(route: str) -> bool:
    """A page only programme staff may use at all (SRO A, whose records it names, gets 403)."""
    return 403 in (TABLE[route]["GET"]["sro_a"], TABLE[route]["POST"]["sro_a"])


def _export_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_sro_b_gets_404_for_council_a_and_learner_a_as_if_they_did_not_exist(client, records):
    cast = records.cast
    client.force_login(cast.sro_b)
    for name, pk in (
        ("councils:detail", cast.council_a.pk),
        ("learners:detail", cast.learner_a.pk),
    ):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 404, name
        assert_names_nothing_of_a(cast, body_of(response), name)
        missing = client.get(reverse(name, args=[pk + 10_000]))
        assert (missing.status_code, missing.content) == (404, response.content), name


def test_sro_b_reaches_no_record_of_council_a_by_any_route(client, records):
    """Every route that takes a council or learner id, named with council A's or learner A's:
    404, or 403 on a page only staff may use (the staff check comes before the record)."""
    cast = records.cast
    client.force_login(cast.sro_b)
    routes = project_routes()
    checked = []
    for route, pattern in routes.items():
        if "<int:pk>" not in pattern or pattern.split("/")[0] not in ("councils", "learners"):
            continue
        url = url_for(route, pattern, records)
        allowed = {403, 404} if _staff_only(route) else {404}
        for method in METHODS:
            if TABLE[route][method]["sro_a"] == 405:
                continue
            response = request_as(client, cast, "sro_b", method, url)
            assert response.status_code in allowed, f"{method} {url}: {response.status_code}"
            assert_names_nothing_of_a(cast, body_of(response), f"{method} {url}")
            checked.append(route)
    assert {"councils:detail", "learners:detail", "learners:edit", "councils:edit"} <= set(checked)


def test_sro_b_export_and_list_hold_no_council_a_learner(client, records):
    cast = records.cast
    client.force_login(cast.sro_b)
    a_code, a_surname = cast.council_a.code, cast.learner_a.last_name
    for query in (
        f"?council={a_code}",
        f"?q={a_surname}",
        f"?q={a_code}",
        f"?cohort={cast.cohort.code}",
        f"?council={a_code}&cohort={cast.cohort.code}",
    ):
        response = client.get(reverse("learners:export") + query)
        assert response.status_code == 200, query
        rows = _export_rows(response)
        assert all(row["council_code"] == cast.council_b.code for row in rows), query
        assert cast.learner_a.email not in {row["email"] for row in rows}, query
        page = client.get(reverse("learners:list") + query)
        assert page.status_code == 200, query
        assert_names_nothing_of_a(cast, page.text.replace(a_surname, ""), query)
        assert reverse("learners:detail", args=[cast.learner_a.pk]) not in page.text, query


def test_learner_b_cannot_touch_learner_a_cpd_entry(client, records):
    cast = records.cast
    client.force_login(cast.learner_b_user)
    for name in ("cpd_edit", "cpd_delete"):
        url = reverse(name, args=[records.cpd.pk])
        assert client.get(url).status_code == 404, url
        response = client.post(url, {"hours": "1", "activity": "Hijack"})
        assert response.status_code == 404, url
    records.cpd.refresh_from_db()
    assert records.cpd.activity == "Contract review"


def test_learner_b_sees_neither_learner_a_nor_council_a(client, records):
    cast = records.cast
    client.force_login(cast.learner_b_user)
    assert client.get(reverse("learners:detail", args=[cast.learner_a.pk])).status_code == 404
    assert client.get(reverse("councils:detail", args=[cast.council_a.pk])).status_code == 404
    for name in ("home", "me", "networks:list"):
        response = client.get(reverse(name), follow=True)
        assert_names_nothing_of_a(cast, body_of(response), name)


def test_the_learners_network_is_for_learners_and_the_programme(client, records):
    """The matrix names the SRO Network; the Learners Network is the other way round."""
    url = reverse("networks:detail", args=[Network.objects.get(audience="learners").pk])
    expected = {"learner_a": 200, "learner_b": 200, "sro_a": 404, "sro_b": 404, "staff": 200}
    for role, status in expected.items():
        client.logout()
        assert request_as(client, records.cast, role, "GET", url).status_code == status, role
