"""Who gets into every page the project defines, and what they can do and see there.

One table, EXPECTED, gives the answer each role gets to GET and to POST a valid body at every
route: the portal's own, allauth's, and a sample of the Django admin's. It is checked against the
URL resolver, so a new route without a row fails. Each cell is one request as one role, and
checks three things:
- the answer (status, or a redirect to sign in);
- what changed: a cell marked * must act (its valid body changes a row, who is signed in, or the
  learner import waiting to be confirmed); every other cell must leave all three as they were;
- what the answer shows: nothing of a council the role may not see (`HIDDEN_FROM`).
The world the cells run in is built in world.py: councils A and B with distinctive values.
"""
# ruff: noqa: E501 - the table's rows are wider than a line, and easier to read unbroken

import csv
import functools
import io
import re
import time
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cmpp.reports.models import ProgressReport
from cohorts.models import AccreditationLevel, Cohort, LevelStep
from councils.models import MaturityArea, MaturityAssessment
from learners.models import Learner, LearnerImport
from networks.models import Network, NetworkCouncil
from tests import factories
from tests.access.snapshot import changes, snapshot
from tests.access.world import ROLES

METHODS = ("GET", "POST")
LOGIN = "login"  # 302 to allauth's /accounts/login/?next=<the path asked for>

# Every route, with the answer each role gets to GET it and (after the bar) to POST its body from
# BODIES; columns: anonymous, learner A, learner B, SRO A, SRO B, viewer, staff.
# - A number is the status. 302 is a redirect that is not to sign in.
# - * marks the cells where the valid body acts; every other cell changes nothing (see above).
# - A view decorated require_GET / require_POST answers 405 to the other method (for anonymous
#   too where that decorator is outside login_required).
# - URLs name council A's records (learner A's enrolment, assessments, CPD entry, email, the
#   nomination SRO A made, its support engagement, its draft maturity self-assessment, submitted
#   first for review), the cohort both learners are in and its session, the Practitioner level and
#   its second step, and the SRO Network: council A's place in it (a third council's, invited, to
#   join or decline), its meeting to come (the one that has begun, for the register) and the file
#   SRO A shared there (so SRO A, like staff, may remove it; SRO B may not).
#   Only staff run a network (viewers and SROs 403); SROs share resources with the SRO Network.
#   A council's members in a network are for staff and viewers (an SRO sees the network, 403).
#   Only staff record support and review assessments; only the council's SRO fills one in.
#   /me/ is the asker's own learner record: someone with none asks for a record that is not there,
#   so 404 (DESIGN), not 403.
# - allauth's pages answer as allauth does today, with the portal's settings: public sign-up is
#   closed, and people cannot change their own email address (404 for everyone, DESIGN).
# - The Django admin is a sample (its index and sign-in, the users list, and learner B's account;
#   the Learner model is not in the admin). Every other admin route is checked for two roles by
#   test_no_one_in_the_cast_gets_into_any_admin_page. Its sign-in goes through allauth: signed
#   out, every admin page sends you to allauth's sign-in; signed in, nobody in the cast is
#   is_staff, so the admin answers 403. The admin first redirects to its own sign-in page, which
#   only leads on to one of those, so that one redirect is followed.
# fmt: off
EXPECTED = {
    # route                                   anon  la   lb   sa   sb   vw   st  | anon  la   lb   sa   sb   vw   st
    "home":                                  "login 302  302  200  200  200  200 | 405   405  405  405  405  405  405",
    "healthz":                               "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "healthz_web":                           "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "accessibility":                         "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "privacy":                               "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "invitation_accept":                     "302   302  302  302  302  302  302 | 302   302  302  302  302  302  302",
    "account_home":                          "login 200  200  200  200  200  200 | login 200  200  200  200  200  200",
    "account_email_closed":                  "404   404  404  404  404  404  404 | 404   404  404  404  404  404  404",
    "councils:list":                         "login 403  403  200  200  200  200 | 405   405  405  405  405  405  405",
    "councils:onboard":                      "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "councils:edit":                         "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "councils:hand_over":                    "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "councils:withdraw":                     "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "councils:detail":                       "login 404  404  200  404  200  200 | 405   405  405  405  405  405  405",
    "councils:support_list":                 "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "councils:maturity_list":                "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "councils:support_new":                  "login 404  404  403  404  403  200 | login 404  404  403  404  403  302*",
    "councils:support_edit":                 "login 404  404  403  404  403  200 | login 404  404  403  404  403  302*",
    "councils:maturity_new":                 "405   405  405  405  405  405  405 | login 404  404  302* 404  403  403",
    "councils:maturity_detail":              "login 404  404  200  404  200  200 | login 404  404  302* 404  403  403",
    "councils:maturity_review":              "405   405  405  405  405  405  405 | login 404  404  403  404  403  302*",
    "cohorts:list":                          "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "cohorts:create":                        "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "cohorts:edit":                          "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "cohorts:start":                         "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "cohorts:session_create":                "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "cohorts:session_edit":                  "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "cohorts:session_cancel":                "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "cohorts:detail":                        "login 404  404  404  404  200  200 | 405   405  405  405  405  405  405",
    "cohorts:enrol":                         "login 403  403  403  403  403  200 | login 403  403  403  403  403  200*",
    "cohorts:close":                         "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "cohorts:steps":                         "login 403  403  403  403  403  200 | login 403  403  403  403  403  200*",
    "cohorts:attendance":                    "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "levels:list":                           "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "levels:detail":                         "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "levels:edit":                           "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "levels:step_create":                    "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "levels:step_edit":                      "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "levels:step_move":                      "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "levels:step_retire":                    "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "levels:step_restore":                   "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "levels:step_delete":                    "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:list":                         "login 403  403  200  200  200  200 | 405   405  405  405  405  405  405",
    "learners:import":                       "login 403  403  403  403  403  200 | login 403  403  403  403  403  200*",
    "learners:import_job":                   "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:export":                       "login 403  403  200  200  200  200 | 405   405  405  405  405  405  405",
    "learners:create":                       "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:nominate":                     "login 403  403  200  200  403  403 | login 403  403  302* 200  403  403",
    "learners:nominations":                  "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "learners:nomination_detail":            "login 403  403  403  403  200  200 | 405   405  405  405  405  405  405",
    "learners:nomination_approve":           "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "learners:nomination_decline":           "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:approve":                      "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "learners:detail":                       "login 200  404  200  404  200  200 | 405   405  405  405  405  405  405",
    "learners:invite":                       "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "learners:edit":                         "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:status":                       "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:step":                         "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:assessment_book":              "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:assessment_result":            "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:assessment_correct":           "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:enrolment_withdraw":           "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "learners:enrolment_move":               "login 403  403  403  403  403  200 | login 403  403  403  403  403  302*",
    "me":                                    "login 200  200  404  404  404  404 | 405   405  405  405  405  405  405",
    "cpd_create":                            "login 200  200  404  404  404  404 | login 302* 302* 404  404  404  404",
    "cpd_edit":                              "login 200  404  404  404  404  404 | login 302* 404  404  404  404  404",
    "cpd_delete":                            "login 200  404  404  404  404  404 | login 302* 404  404  404  404  404",
    "email_log":                             "login 403  403  403  403  403  200 | 405   405  405  405  405  405  405",
    "email_resend":                          "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "email_detail":                          "login 403  403  403  403  403  200 | 405   405  405  405  405  405  405",
    "reports:list":                          "login 404  404  200  200  200  200 | login 404  404  302* 200  302* 302*",
    "reports:download":                      "login 404  404  200  404  200  200 | 405   405  405  405  405  405  405",
    "reports:data":                          "login 404  404  200  404  200  200 | 405   405  405  405  405  405  405",
    "reports:retry":                         "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "reports:delete":                        "405   405  405  405  405  405  405 | login 403  403  403  403  403  302*",
    "reports:subject_access":                "login 403  403  403  403  403  200 | 405   405  405  405  405  405  405",
    "networks:list":                         "login 200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "networks:detail":                       "login 404  404  200  200  200  200 | 405   405  405  405  405  405  405",
    "networks:council_members":              "login 404  404  403  403  200  200 | 405   405  405  405  405  405  405",
    "networks:invite":                       "login 404  404  403  403  403  200 | login 404  404  403  403  403  302*",
    "networks:council_joined":               "405   405  405  405  405  405  405 | login 404  404  403  403  403  302*",
    "networks:council_declined":             "405   405  405  405  405  405  405 | login 404  404  403  403  403  302*",
    "networks:council_remove":               "405   405  405  405  405  405  405 | login 404  404  403  403  403  302*",
    "networks:meeting_new":                  "login 404  404  403  403  403  200 | login 404  404  403  403  403  302*",
    "networks:meeting_edit":                 "login 404  404  403  403  403  200 | login 404  404  403  403  403  302*",
    "networks:meeting_cancel":               "login 404  404  403  403  403  200 | login 404  404  403  403  403  302*",
    "networks:register":                     "login 404  404  403  403  403  200 | login 404  404  403  403  403  302*",
    "networks:resource_new":                 "login 404  404  200  200  403  200 | login 404  404  302* 302* 403  302*",
    "networks:resource_download":            "login 404  404  200  200  200  200 | 405   405  405  405  405  405  405",
    "networks:resource_delete":              "405   405  405  405  405  405  405 | login 404  404  302* 403  403  302*",
    # allauth
    "account_login":                         "200   302  302  302  302  302  302 | 302*  302  302  302  302  302  302",
    "account_logout":                        "302   200  200  200  200  200  200 | 302   302* 302* 302* 302* 302* 302*",
    "account_inactive":                      "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "account_signup":                        "200   302  302  302  302  302  302 | 200   302  302  302  302  302  302",
    "account_reauthenticate":                "login 200  200  200  200  200  200 | login 302  302  302  302  302  302",
    "account_email":                         "404   404  404  404  404  404  404 | 404   404  404  404  404  404  404",
    "account_email_verification_sent":       "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "account_change_password":               "login 200  200  200  200  200  200 | login 302* 302* 302* 302* 302* 302*",
    "account_set_password":                  "login 302  302  302  302  302  302 | login 302  302  302  302  302  302",
    "account_reset_password":                "200   200  200  200  200  200  200 | 302*  302* 302* 302* 302* 302* 302*",
    "account_confirm_login_code":            "302   302  302  302  302  302  302 | 302   302  302  302  302  302  302",
    "account_confirm_email":                 "200   200  200  200  200  200  200 | 404   404  404  404  404  404  404",
    "account_reset_password_from_key_done":  "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "account_reset_password_from_key":       "200   200  200  200  200  200  200 | 200   200  200  200  200  200  200",
    "account_reset_password_done":           "200   200  200  200  200  200  200 | 405   405  405  405  405  405  405",
    "mfa_index":                             "login 200  200  200  200  200  200 | login 405  405  405  405  405  405",
    "mfa_authenticate":                      "302   302  302  302  302  302  302 | 302   302  302  302  302  302  302",
    "mfa_reauthenticate":                    "login 302  302  302  302  302  302 | login 302  302  302  302  302  302",
    "mfa_activate_totp":                     "login 302  302  302  302  302  302 | login 302  302  302  302  302  302",
    "mfa_deactivate_totp":                   "login 404  404  404  404  404  404 | login 404  404  404  404  404  404",
    "mfa_view_recovery_codes":               "login 404  404  404  404  404  404 | login 405  405  405  405  405  405",
    "mfa_generate_recovery_codes":           "login 302  302  302  302  302  302 | login 302  302  302  302  302  302",
    "mfa_download_recovery_codes":           "login 404  404  404  404  404  404 | login 404  404  404  404  404  404",
    # the Django admin (a sample: see above)
    "admin:index":                           "login 403  403  403  403  403  403 | login 403  403  403  403  403  403",
    "admin:login":                           "login 403  403  403  403  403  403 | login 403  403  403  403  403  403",
    "admin:accounts_user_changelist":        "login 403  403  403  403  403  403 | login 403  403  403  403  403  403",
    "admin:accounts_user_change":            "login 403  403  403  403  403  403 | login 403  403  403  403  403  403",
}
# fmt: on

# Routes the table does not name: the admin's other pages (see above), and static and media
# file serving (none is routed today: WhiteNoise serves static).
STATIC_VIEW_MODULES = ("django.views.static", "django.contrib.staticfiles.views")


@dataclass(frozen=True)
class Cell:
    answer: object  # a status, or LOGIN
    acts: bool


def _parse(row: str) -> dict[str, dict[str, Cell]]:
    halves = row.split("|")
    assert len(halves) == len(METHODS), row
    table = {}
    for method, half in zip(METHODS, halves, strict=True):
        cells = half.split()
        assert len(cells) == len(ROLES), row
        table[method] = {}
        for role, cell in zip(ROLES, cells, strict=True):
            answer = cell.rstrip("*")
            table[method][role] = Cell(
                answer=answer if answer == LOGIN else int(answer), acts=cell.endswith("*")
            )
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


def _is_admin(route: str) -> bool:
    return route.split(":")[0] == "admin"


@functools.cache
def all_routes() -> dict[str, str]:
    """Route name -> its path pattern, for every route but static file serving. Two patterns
    with one name (allauth's email page and the portal's that closes it) keep the first."""
    routes = {}
    for route, _, pattern, callback in _walk(get_resolver().url_patterns):
        if getattr(callback, "__module__", "") not in STATIC_VIEW_MODULES:
            routes.setdefault(route, pattern)
    return routes


def test_every_route_has_a_row_and_every_row_a_route():
    routes = set(all_routes())
    missing = sorted(route for route in routes - set(EXPECTED) if not _is_admin(route))
    stale = sorted(set(EXPECTED) - routes)
    assert not missing, f"routes with no row in EXPECTED: {missing}"
    assert not stale, f"rows in EXPECTED for routes that no longer exist: {stale}"


# The records each route's arguments are filled from -------------------------------------------

# `pk` is named by the start of the path (whose page it is); the other arguments by their names.
PK_BY_PATH = (
    ("learners/nominations/", lambda w: w.a.nomination.pk),
    ("learners/import/", lambda w: w.learner_import.pk),
    ("learners/", lambda w: w.a.learner.pk),
    ("councils/", lambda w: w.a.council.pk),
    ("cohorts/", lambda w: w.cohort.pk),
    ("me/cpd/", lambda w: w.a.cpd.pk),
    ("emails/", lambda w: w.a.email.pk),
    ("levels/", lambda w: w.level.pk),
    ("networks/", lambda w: w.network.pk),
    ("reports/learners/", lambda w: w.a.learner.pk),  # learner A's subject access request
    ("reports/", lambda w: w.a.report.pk),
)
ARGUMENTS = {
    "session_pk": lambda w: w.cohort_session.pk,
    "attempt_pk": lambda w: w.a.attempt.pk,
    "enrolment_pk": lambda w: w.a.enrolment.pk,
    "token": lambda w: "made-up-invitation-token",
    "key": lambda w: "made-up-key",
    "uidb36": lambda w: "zz",
    "object_id": lambda w: w.b.learner.user.pk,  # the admin's change page: learner B's account
    "step_pk": lambda w: w.step.pk,
    "membership_pk": lambda w: w.sro_place.pk,  # council A's place in the SRO Network
    "meeting_pk": lambda w: w.meeting.pk,  # to come, not cancelled
    "resource_pk": lambda w: w.resource.pk,  # the file SRO A shared
    "engagement_pk": lambda w: w.a.engagement.pk,
    "assessment_pk": lambda w: w.a.draft.pk,
}
# Where a route needs another record than its argument's usual one.
ARGUMENTS_OF_ROUTE = {
    "learners:assessment_correct": {"attempt_pk": lambda w: w.a.result.pk},  # one with a result
    # a place invited (BEFORE_POST puts back the third council's invitation), not joined
    "networks:council_joined": {"membership_pk": lambda w: w.declined_place.pk},
    "networks:council_declined": {"membership_pk": lambda w: w.declined_place.pk},
    "networks:register": {"meeting_pk": lambda w: w.begun_meeting.pk},  # its register is open
}


def argument_names(pattern: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)]


def url_for(route: str, world, **given) -> str:
    """The route's URL with its arguments taken from the world, or from `given`."""
    pattern = all_routes()[route]
    kwargs = {}
    for name in argument_names(pattern):
        if name in given:
            kwargs[name] = given[name]
        elif name in ARGUMENTS_OF_ROUTE.get(route, {}):
            kwargs[name] = ARGUMENTS_OF_ROUTE[route][name](world)
        elif name == "pk":
            fill = next((pk for start, pk in PK_BY_PATH if pattern.startswith(start)), None)
            assert fill, f"{route}: say in PK_BY_PATH whose <pk> a {pattern} takes"
            kwargs[name] = fill(world)
        else:
            assert name in ARGUMENTS, f"{route}: say in ARGUMENTS how to fill <{name}>"
            kwargs[name] = ARGUMENTS[name](world)
    return reverse(route, kwargs=kwargs)


# The valid bodies ------------------------------------------------------------------------------

NEW_PASSWORD = "matrix-new-password-2026"  # noqa: S105 - a test password


def _date(name: str, day) -> dict:
    """A GOV.UK date field's three boxes."""
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _today():
    return timezone.localdate()


def _practitioner() -> int:
    return AccreditationLevel.objects.get(slug="practitioner").pk


def _first_step() -> int:
    return LevelStep.objects.filter(level=_practitioner(), is_active=True).order_by("order")[0].pk


def _org(slug: str) -> int:
    return factories.organisation(slug).pk


def _council_fields(name: str) -> dict:
    return {
        "name": name,
        "council_type": "unitary",
        "region": "south_east",
        "nation": "england",
        "funded_places": 7,
    }


def _cohort_fields(code: str) -> dict:
    return {
        "name": "Matrix cohort renamed",
        "code": code,
        "level": _practitioner(),
        # the world's cohorts' own dates, around its sessions
        **_date("starts_on", _today() - timedelta(days=60)),
        **_date("ends_on", _today() + timedelta(days=120)),
        "capacity": 12,
        "delivery_organisation": _org("gcc"),
    }


def _session_fields() -> dict:
    return {
        "title": "Matrix session",
        **_date("on", _today() + timedelta(days=10)),
        "starts_at": "10am",
        "ends_at": "1pm",
        "location": "Online",
    }


def _learner_fields(w, email: str) -> dict:
    return {
        "council": w.a.council.pk,
        "first_name": "Newlyadded",
        "last_name": "Matrixlearner",
        "email": email,
        "job_title": "Changed-Job-Title",
        "grade": "",
        "target_level": _practitioner(),
    }


def _import_file(w) -> SimpleUploadedFile:
    text = (
        "council_code,first_name,last_name,email,job_title,target_level,cohort_code\n"
        f"{w.a.council.code},Imported,Matrixlearner,imported@aqxbury.example.gov.uk,,"
        "practitioner,\n"
    )
    return SimpleUploadedFile("learners.csv", text.encode(), content_type="text/csv")


def _step_fields(name: str) -> dict:
    return {
        "name": name,
        "kind": LevelStep.Kind.ACTIVITY,
        "description": "",
        "required_before_assessment": "on",
    }


def _meeting_fields(title: str) -> dict:
    return {
        "title": title,
        **_date("on", _today() + timedelta(days=21)),
        "starts_at": "10am",
        "ends_at": "11am",
        "online_url": "https://meet.example.gov.uk/matrix-new",
    }


def _support_fields(title: str) -> dict:
    return {
        "title": title,
        "specialist": "",
        "status": "active",
        **_date("starts_on", _today() - timedelta(days=10)),
        **_date("ends_on", _today() + timedelta(days=80)),
        "objectives": "Matrix objectives",
        "notes": "Matrix notes",
        "outcomes": "",
    }


def _maturity_answers(**extra) -> dict:
    """Every area scored 4 (the world's are 3), no comments."""
    areas = MaturityArea.objects.order_by("order")
    return {
        **{f"score_{area.pk}": "4" for area in areas},
        **{f"comment_{area.pk}": "" for area in areas},
        **extra,
    }


def _cpd_fields(activity: str) -> dict:
    return {**_date("done_on", _today()), "hours": "1.5", "activity": activity, "reflection": ""}


# For every route that takes a POST, a body its form accepts: the cells marked * prove it does.
# Credentials in a body are staff's, whose email and name no check looks for (a form that shows
# back what was typed would otherwise look like a leak).
BODIES = {
    # The invitation link's URL only moves its token into the session and redirects, whatever is
    # posted (tests/accounts covers the password form it leads to).
    "invitation_accept": lambda w: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    "account_home": lambda w: {},
    "account_email_closed": lambda w: {"email": "another@example.gov.uk", "action_add": ""},
    "councils:onboard": lambda w: {
        **_council_fields("Onboarded Matrix Council"),
        "code": "E09000953",
        "managing_body": _org("dluhc"),
        **_date("onboarded_on", _today()),
        "sro_first_name": "Onboarded",
        "sro_last_name": "Sro",
        "sro_email": "onboarded.sro@example.gov.uk",
    },
    "councils:edit": lambda w: _council_fields("Aqxbury Renamed Council"),
    "councils:hand_over": lambda w: {
        "to_organisation": _org("local-partnerships"),
        **_date("on", _today()),
    },
    "councils:withdraw": lambda w: {"reason": "Leaving the programme"},
    "cohorts:create": lambda w: _cohort_fields("MTX-NEW"),
    "cohorts:edit": lambda w: _cohort_fields(w.cohort.code),
    "cohorts:start": lambda w: {},
    "cohorts:session_create": lambda w: _session_fields(),
    "cohorts:session_edit": lambda w: _session_fields(),
    "cohorts:session_cancel": lambda w: {},
    "cohorts:enrol": lambda w: {"learners": [w.a.newcomer.pk]},
    "cohorts:close": lambda w: {},
    "cohorts:steps": lambda w: {
        "step": _first_step(),
        **_date("on", _today()),
        "learners": [w.a.learner.pk],
    },
    "cohorts:attendance": lambda w: {f"mark-{w.a.learner.pk}": "present"},
    "levels:edit": lambda w: {
        "name": "Practitioner, renamed",
        "description": "Edited by the access matrix",
        "is_funded": "on" if w.level.is_funded else "",
        "renewal_months": w.level.renewal_months or "",
        "cpd_hours_per_year": w.level.cpd_hours_per_year or "",
    },
    "levels:step_create": lambda w: _step_fields("Matrix step"),
    "levels:step_edit": lambda w: _step_fields("Matrix step, renamed"),
    "levels:step_move": lambda w: {"direction": "up"},  # the level's second step
    "levels:step_retire": lambda w: {},
    "levels:step_restore": lambda w: {},
    "levels:step_delete": lambda w: {},
    # Council A's report: SRO B's own form offers only council B, so theirs is refused.
    "reports:list": lambda w: {
        "subject": "council",
        "council": w.a.council.pk,
        **_date("as_at", _today()),
    },
    "reports:retry": lambda w: {},
    "reports:delete": lambda w: {},
    "learners:import": lambda w: {"file": _import_file(w)},
    "learners:import_job": lambda w: {},
    "learners:create": lambda w: _learner_fields(w, "newly.added@aqxbury.example.gov.uk"),
    "learners:nominate": lambda w: {
        **_learner_fields(w, "nominee@aqxbury.example.gov.uk"),
        "council": w.a.council.pk,  # SRO A's council: SRO B may not nominate into it
    },
    "learners:nomination_approve": lambda w: {},
    "learners:nomination_decline": lambda w: {"decision_note": "Not this year"},
    "learners:approve": lambda w: {},
    "learners:invite": lambda w: {},
    "learners:edit": lambda w: {
        **_learner_fields(w, w.a.learner.email),
        "first_name": w.a.learner.first_name,
        "last_name": w.a.learner.last_name,
    },
    "learners:status": lambda w: {"status": Learner.Status.ON_HOLD, "reason": "Parental leave"},
    "learners:step": lambda w: {"step": _first_step(), **_date("on", _today())},
    "learners:assessment_book": lambda w: {
        "level": AccreditationLevel.objects.get(slug="expert").pk,  # one pending per level
        **_date("booked_for", _today() + timedelta(days=30)),
    },
    "learners:assessment_result": lambda w: {"result": "fail", **_date("result_on", _today())},
    "learners:assessment_correct": lambda w: {
        "result": "fail",
        **_date("result_on", _today() - timedelta(days=3)),  # its date, typed wrongly
        "reason": "The date was typed wrongly",
    },
    "councils:support_new": lambda w: _support_fields("Matrix support"),
    "councils:support_edit": lambda w: _support_fields("Matrix support, renamed"),
    "councils:maturity_new": lambda w: {},
    "councils:maturity_detail": lambda w: _maturity_answers(draft="1"),
    "councils:maturity_review": lambda w: {"decision": "return", "note": "Score them again"},
    # a council that declined, invited again
    "networks:invite": lambda w: {"council": w.declined_place.council_id},
    "networks:council_joined": lambda w: {},
    "networks:council_declined": lambda w: {},
    "networks:council_remove": lambda w: {},
    "networks:meeting_new": lambda w: _meeting_fields("Matrix meeting"),
    "networks:meeting_edit": lambda w: _meeting_fields("Matrix meeting, moved"),
    "networks:meeting_cancel": lambda w: {},
    "networks:register": lambda w: {"mark_all": "present"},
    "networks:resource_new": lambda w: {
        "title": "Matrix link",
        "kind": "link",
        "url": "https://www.gov.uk/",
    },
    "networks:resource_delete": lambda w: {},
    "learners:enrolment_withdraw": lambda w: {"reason": "Moved job"},
    "learners:enrolment_move": lambda w: {"to_cohort": w.other_cohort.pk, "reason": "Timing"},
    "cpd_create": lambda w: _cpd_fields("Matrix webinar"),
    "cpd_edit": lambda w: _cpd_fields("Matrix webinar, edited"),
    "cpd_delete": lambda w: {},
    "email_resend": lambda w: {"next": ""},
    # allauth
    "account_login": lambda w: {"login": w.staff.email, "password": factories.PASSWORD},
    "account_logout": lambda w: {},
    "account_signup": lambda w: {"email": "signup@example.gov.uk", "password1": NEW_PASSWORD},
    "account_reauthenticate": lambda w: {"password": factories.PASSWORD},
    "account_email": lambda w: {"email": "another@example.gov.uk", "action_add": ""},
    "account_change_password": lambda w: {
        "oldpassword": factories.PASSWORD,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    },
    "account_set_password": lambda w: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    "account_reset_password": lambda w: {"email": w.staff.email},
    "account_confirm_login_code": lambda w: {"code": "ABCDEF"},
    "account_confirm_email": lambda w: {},
    "account_reset_password_from_key": lambda w: {
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    },
    "mfa_index": lambda w: {},
    "mfa_authenticate": lambda w: {"code": "123456"},
    "mfa_reauthenticate": lambda w: {"code": "123456"},
    "mfa_activate_totp": lambda w: {"code": "123456"},
    "mfa_deactivate_totp": lambda w: {},
    "mfa_view_recovery_codes": lambda w: {},
    "mfa_generate_recovery_codes": lambda w: {},
    "mfa_download_recovery_codes": lambda w: {},
    # the admin: sign in with the right password; make learner B's account a superuser; delete it
    "admin:index": lambda w: {},
    "admin:login": lambda w: {"username": w.staff.email, "password": factories.PASSWORD},
    "admin:accounts_user_changelist": lambda w: {
        "action": "delete_selected",
        "_selected_action": [w.b.learner.user.pk],
        "post": "yes",
    },
    "admin:accounts_user_change": lambda w: {
        "email": "made.superuser@example.gov.uk",
        "first_name": "Made",
        "last_name": "Superuser",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "staff_memberships-TOTAL_FORMS": "0",
        "staff_memberships-INITIAL_FORMS": "0",
    },
}


def _update(record, **fields):
    type(record).objects.filter(pk=record.pk).update(**fields)


# The state a record must be in before its body can act. Set for every role, so that a refusal is
# the refusal of an action that would otherwise have worked.
BEFORE_POST = {
    "cohorts:start": lambda w: _update(w.cohort, status=Cohort.Status.PLANNED),
    "learners:approve": lambda w: _update(w.a.learner, status=Learner.Status.NOMINATED),
    "learners:invite": lambda w: _update(w.a.learner, user=None),  # a learner not yet signed up
    "levels:step_restore": lambda w: _update(w.step, is_active=False),  # a retired step
    "reports:retry": lambda w: _update(w.a.report, status=ProgressReport.Status.FAILED),
    "learners:import_job": lambda w: _update(w.learner_import, status=LearnerImport.Status.CHECKED),
    "networks:council_joined": lambda w: _invited_again(w.declined_place),
    "networks:council_declined": lambda w: _invited_again(w.declined_place),
    # council A's follow-up accepted, so that it has none in progress and starts the next
    "councils:maturity_new": lambda w: _update(
        w.a.draft, status=MaturityAssessment.Status.ACCEPTED
    ),
    # both councils' follow-ups submitted (council B's for the test of ids that do not match)
    "councils:maturity_review": lambda w: [_submitted(side) for side in (w.a, w.b)],
}


def _invited_again(place):
    _update(place, status=NetworkCouncil.Status.INVITED, invited_on=_today(), declined_on=None)


def _submitted(side):
    _update(
        side.draft,
        status=MaturityAssessment.Status.SUBMITTED,
        submitted_by=side.sro,
        submitted_at=timezone.now(),
    )


def test_every_route_that_takes_a_post_has_a_body():
    takes_post = {
        route
        for route, cells in TABLE.items()
        if any(cell.answer != 405 for cell in cells["POST"].values())
    }
    assert sorted(takes_post - set(BODIES)) == [], "routes that take a POST with no body"
    assert sorted(set(BODIES) - takes_post) == [], "bodies for routes that take no POST"
    assert set(BEFORE_POST) <= takes_post


# One request, and what it did ------------------------------------------------------------------


def send(client, method: str, url: str, body: dict | None):
    response = client.get(url) if method == "GET" else client.post(url, body)
    # The admin sends those it will not serve to its own sign-in page: follow that one hop.
    admin_login = reverse("admin:login")
    if (
        response.status_code == 302
        and url != admin_login
        and urlsplit(response["Location"]).path == admin_login
    ):
        response = client.get(response["Location"])
    return response


def answer_of(response, url: str) -> object:
    """The status, or LOGIN for a redirect to sign in that comes back to `url`."""
    if response.status_code == 302:
        location = urlsplit(response["Location"])
        to_sign_in = location.path == reverse("account_login")
        if to_sign_in and parse_qs(location.query).get("next") == [url]:
            return LOGIN
    return response.status_code


def state_of(client) -> tuple:
    """What a request can change: every row (a learner import waiting to be confirmed is one),
    and who is signed in."""
    return snapshot(), client.session.get("_auth_user_id")


def what_changed(before: tuple, after: tuple) -> list[str]:
    found = changes(before[0], after[0])
    if before[1] != after[1]:
        found.append(f"signed in as user {before[1]} -> {after[1]}")
    return found


def body_of(response) -> str:
    if response.get("Content-Type") == "application/zip":  # a subject access request's CSVs
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8-sig")
                for name in archive.namelist()
                if name.endswith(".csv")
            )
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


# Which council's records each role may not see anything of.
HIDDEN_FROM = {
    "anonymous": "ab",
    "learner_a": "b",
    "learner_b": "a",
    "sro_a": "b",
    "sro_b": "a",
    "viewer": "",
    "staff": "",
}


def hidden_things_shown(world, role: str, response, url: str) -> list[str]:
    """Anything of a council the role may not see, in the page or where it redirects: a name,
    code, email, job title, grade, CPD text or nomination, or a link to one of its records. The
    address asked for is echoed back (in a `next`, say), so it is blanked out first."""
    shown = (body_of(response) + response.get("Location", "")).replace(url, "")
    for side in (world.a, world.b):
        # DESIGN: a resource in the SRO Network names the SRO who shared it to every member
        # (tests/networks/test_resources.py); that phrase, and nothing else of their council.
        shown = shown.replace(f"Shared by {side.sro.get_full_name()}", "")
    return [
        f"{text!r} of council {letter.upper()}"
        for letter in HIDDEN_FROM[role]
        for text in (*getattr(world, letter).texts, *getattr(world, letter).paths)
        if text in shown
    ]


def sign_in_as(client, world, role: str):
    """Take up the role's session from conftest. Sessions live in the cache and the database:
    the cache is emptied so that the session is read from the database, which the last
    rollback has put back as it was (a cell may have signed out, or changed the password)."""
    cache.clear()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.session_keys[role]


# The matrix ------------------------------------------------------------------------------------


def check_cell(world, route: str, method: str, role: str) -> list[str]:
    """One request as one role: what is wrong with its answer, what it changed, what it shows."""
    expected = TABLE[route][method][role]
    client = Client()
    url = url_for(route, world)
    where = f"{method} {url} as {role}"
    sign_in_as(client, world, role)
    body = None
    if method == "POST" and route in BODIES:
        BEFORE_POST.get(route, lambda w: None)(world)
        body = BODIES[route](world)
    # A 405 comes from the method decorator before the view runs: nothing to compare.
    before = state_of(client) if expected.answer != 405 else None

    response = send(client, method, url, body)

    problems = []
    answer = answer_of(response, url)
    if answer != expected.answer:
        problems.append(f"{where}: {answer}, not {expected.answer}")
    if before is not None:
        changed = what_changed(before, state_of(client))
        if expected.acts and not changed:
            problems.append(f"{where}: the body changed nothing, so it is not a valid body")
        if changed and not expected.acts:
            problems.append(f"{where} changed {changed}")
    problems += [
        f"{where} shows {thing}" for thing in hidden_things_shown(world, role, response, url)
    ]
    return problems


# One test for each row and method, its seven cells each in a savepoint rolled back after it.
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("route", EXPECTED)
def test_access_matrix(world, db, route, method):
    if route not in all_routes():
        pytest.fail(f"{route} is in EXPECTED but no longer routed")
    problems = []
    for role in ROLES:
        with transaction.atomic():
            problems += check_cell(world, route, method, role)
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


def test_the_pages_that_may_show_council_b_show_every_value_looked_for(client, world, db):
    """So that not finding a value is meaningful: each is shown, as written, where it may be.
    (Council A's values are made the same way.)"""
    b = world.b
    pages = {
        "staff": [
            reverse("councils:list"),
            reverse("councils:detail", args=[b.council.pk]),
            reverse("councils:maturity_detail", args=[b.council.pk, b.baseline.pk]),
            reverse("councils:maturity_detail", args=[b.council.pk, b.draft.pk]),
            reverse("learners:list"),
            reverse("learners:detail", args=[b.learner.pk]),
            reverse("learners:detail", args=[b.newcomer.pk]),
            reverse("learners:nominations"),
            reverse("learners:nomination_detail", args=[b.nomination.pk]),
            reverse("email_log"),
            reverse("reports:list"),
        ],
        "learner_b": [reverse("me")],
    }
    shown = ""
    for role, urls in pages.items():
        sign_in_as(client, world, role)
        shown += "".join(body_of(client.get(url)) for url in urls)
    assert [text for text in (*b.texts, *b.paths) if text not in shown] == []


# Two ids that do not belong together -----------------------------------------------------------

# For each inner argument: a record of that kind that belongs elsewhere, and where it belongs.
ELSEWHERE = {
    "session_pk": lambda w: (w.other_session.pk, w.other_cohort.pk),  # another cohort's session
    "attempt_pk": lambda w: (w.b.attempt.pk, w.b.learner.pk),  # learner B's assessment
    "enrolment_pk": lambda w: (w.b.enrolment.pk, w.b.learner.pk),  # learner B's enrolment
    "step_pk": lambda w: (w.other_step.pk, w.other_step.level_id),  # another level's step
    # the Learners Network's records, in the SRO Network's URLs
    "membership_pk": lambda w: (w.learners_place.pk, w.learners_network.pk),
    "meeting_pk": lambda w: (w.learners_meeting.pk, w.learners_network.pk),
    "resource_pk": lambda w: (w.learners_resource.pk, w.learners_network.pk),
    # council B's, in council A's URLs
    "engagement_pk": lambda w: (w.b.engagement.pk, w.b.council.pk),
    "assessment_pk": lambda w: (w.b.draft.pk, w.b.council.pk),
}
ELSEWHERE_OF_ROUTE = {
    "learners:assessment_correct": lambda w: (w.b.result.pk, w.b.learner.pk),
}
NESTED = sorted(
    route for route, pattern in all_routes().items() if len(re.findall(r"<int:\w+>", pattern)) > 1
)


def _inner(route: str) -> str:
    return argument_names(all_routes()[route])[-1]


def test_every_route_with_two_ids_says_where_another_inner_record_comes_from():
    assert {
        "cohorts:session_edit",
        "cohorts:attendance",
        "learners:assessment_result",
        "learners:enrolment_move",
        "networks:register",
        "networks:resource_delete",
        "councils:support_edit",
        "councils:maturity_review",
    } <= set(NESTED), "so that the test below cannot pass by finding nothing to check"
    assert {route: _inner(route) for route in NESTED if _inner(route) not in ELSEWHERE} == {}


@pytest.mark.parametrize(
    ("route", "method"),
    [
        pytest.param(route, method, id=f"{route}-{method}")
        for route in NESTED
        for method in METHODS
        if route in TABLE and TABLE[route][method]["staff"].answer != 405
    ],
)
def test_an_id_inside_another_records_url_is_404_even_for_staff(client, world, db, route, method):
    """Learner A's URL with learner B's enrolment, the cohort's URL with another cohort's
    session: staff, who may act on both records, get 404, and nothing changes."""
    inner = _inner(route)
    other, its_parent = ELSEWHERE_OF_ROUTE.get(route, ELSEWHERE[inner])(world)
    sign_in_as(client, world, "staff")
    body = None
    if method == "POST":
        BEFORE_POST.get(route, lambda w: None)(world)
        body = BODIES[route](world)

    url = url_for(route, world, **{inner: other})
    before = state_of(client)
    response = send(client, method, url, body)
    assert response.status_code == 404, f"{method} {url}"
    assert not what_changed(before, state_of(client)), f"{method} {url}"

    # Where it belongs, staff reach it: so the 404 was the mismatch's, not that of
    # a record that is missing, cancelled or closed.
    own = url_for(route, world, pk=its_parent, **{inner: other})
    if method == "POST":
        body = BODIES[route](world)
    response = send(client, method, own, body)
    assert response.status_code != 404, f"{method} {own}"


# The Django admin ------------------------------------------------------------------------------


def _admin_urls(world) -> list[str]:
    """Every admin route's URL, its arguments filled with something that exists."""
    fill = {
        "object_id": world.b.learner.user.pk,
        "id": world.b.learner.user.pk,
        "content_type_id": 1,
        "app_label": "accounts",
        "url": "learners/learner/",
    }
    urls = []
    for route, _, pattern, _ in _walk(get_resolver().url_patterns):
        if not _is_admin(route) or route.startswith("admin:<unnamed"):
            continue
        names = argument_names(pattern)
        if names:
            urls.append(reverse(route, kwargs={name: fill[name] for name in names}))
        else:
            urls.append(reverse(route, args=["1"] * re.compile(pattern).groups))
    urls.append(reverse("admin:index") + "learners/learner/")  # caught by the admin's catch-all
    return urls


def _where_the_admin_leaves(client, url: str):
    """The answer once the admin has finished redirecting within itself."""
    response = client.get(url)
    while response.status_code == 302 and response["Location"].startswith(reverse("admin:index")):
        response = client.get(response["Location"])
    return response


def test_no_one_in_the_cast_gets_into_any_admin_page(client, world, db):
    """Every page the admin generates, not just the table's sample: signed out, allauth's
    sign-in; signed in as programme staff (not is_staff), 403."""
    urls = _admin_urls(world)
    assert len(urls) > 10
    sign_in = reverse("account_login")
    for url in urls:
        response = _where_the_admin_leaves(client, url)
        assert response.status_code == 302, url
        assert urlsplit(response["Location"]).path == sign_in, url
    sign_in_as(client, world, "staff")
    for url in urls:
        assert _where_the_admin_leaves(client, url).status_code == 403, url


def test_the_admin_sign_in_form_signs_no_one_in(client, world, db):
    """Right email and password at the admin's own form: no session, so / asks to sign in."""
    response = client.post(
        reverse("admin:login"), {"username": world.staff.email, "password": factories.PASSWORD}
    )
    assert answer_of(response, reverse("admin:login")) == LOGIN
    assert "_auth_user_id" not in client.session
    assert answer_of(client.get("/"), "/") == LOGIN


# Signing in for real, with MFA required --------------------------------------------------------

# These roles must have an authenticator app when CMPP_REQUIRE_MFA is on; learners need not.
MFA_ROLES = ("sro_a", "sro_b", "viewer", "staff")


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (allauth's own arithmetic). Near the end of a
    period, wait for the next one, so that the code is still current when it is checked."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def sign_in_through_the_form(client, user, secret: str | None):
    """allauth's sign-in form, then, for someone with an authenticator, its code step."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )
    if secret is not None:
        assert response.status_code == 302, response.status_code
        assert response["Location"] == reverse("mfa_authenticate"), response["Location"]
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.status_code
    assert client.session["_auth_user_id"] == str(user.pk)


@functools.cache
def allauth_routes() -> set[str]:
    return {
        route
        for route, _, _, callback in _walk(get_resolver().url_patterns)
        if getattr(callback, "__module__", "").startswith("allauth.")
    }


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_the_get_rows_hold_after_a_real_sign_in_with_mfa_required(
    client, world, db, settings, role
):
    """The table's GET answers for the portal's pages and the admin sample, after signing in
    through allauth's form (and its code step, for those with an authenticator) with MFA
    required, rather than by force_login. A subset, to keep the suite quick: allauth's own pages
    are left out (their answers are about how the session signed in, and the matrix has them),
    and so are 403s and 405s (a role or method check before any record, the same however the
    session signed in)."""
    settings.CMPP_REQUIRE_MFA = True
    cache.clear()  # a TOTP code is refused once used; a code from an earlier test is forgotten
    user = world.user(role)
    secret = None
    if role in MFA_ROLES:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)  # as allauth's activation flow stores it
    sign_in_through_the_form(client, user, secret)
    before = state_of(client)
    wrong = []
    for route in EXPECTED:
        expected = TABLE[route]["GET"][role]
        if route in allauth_routes() or expected.answer in (403, 405):
            continue
        url = url_for(route, world)
        response = send(client, "GET", url, None)
        if answer_of(response, url) != expected.answer:
            wrong.append(f"{url}: {answer_of(response, url)}, not {expected.answer}")
        wrong += [
            f"{url} shows {thing}" for thing in hidden_things_shown(world, role, response, url)
        ]
    assert not wrong, f"as {role}: {wrong}"
    assert not what_changed(before, state_of(client))


# The leak rule, spelled out --------------------------------------------------------------------


def _staff_only(route: str) -> bool:
    """A page only programme staff may use at all (SRO A, whose records it names, gets 403)."""
    return 403 in (TABLE[route]["GET"]["sro_a"].answer, TABLE[route]["POST"]["sro_a"].answer)


def _export_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body_of(response))))


def test_sro_b_gets_404_for_council_a_and_learner_a_as_if_they_did_not_exist(client, world, db):
    sign_in_as(client, world, "sro_b")
    for name, pk in (
        ("councils:detail", world.a.council.pk),
        ("learners:detail", world.a.learner.pk),
    ):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 404, name
        missing = client.get(reverse(name, args=[pk + 10_000]))
        assert (missing.status_code, missing.content) == (404, response.content), name


def test_the_table_gives_sro_b_no_record_of_council_a():
    """Every route that takes a council's or learner's id, named in the table with council A's
    or learner A's: SRO B gets 404, or 403 on a page only staff may use (the staff check comes
    before the record)."""
    checked = []
    for route, pattern in all_routes().items():
        if "<int:pk>" not in pattern or not pattern.startswith(("councils/", "learners/")):
            continue
        if route not in TABLE:
            continue  # test_every_route_has_a_row_and_every_row_a_route says so
        allowed = {403, 404} if _staff_only(route) else {404}
        for method in METHODS:
            answer = TABLE[route][method]["sro_b"].answer
            if TABLE[route][method]["sro_a"].answer != 405:
                assert answer in allowed, f"{method} {route}: {answer}"
                checked.append(route)
    assert {"councils:detail", "learners:detail", "learners:edit", "councils:edit"} <= set(checked)


def test_sro_b_export_and_list_hold_no_council_a_learner(client, world, db):
    sign_in_as(client, world, "sro_b")
    a_code, a_surname = world.a.council.code, world.a.learner.last_name
    cohort_code = world.cohort.code
    for query in (
        f"?council={a_code}",
        f"?q={a_surname}",
        f"?q={a_code}",
        f"?cohort={cohort_code}",
        f"?council={a_code}&cohort={cohort_code}",
    ):
        response = client.get(reverse("learners:export") + query)
        page = client.get(reverse("learners:list") + query)
        assert page.status_code == 200, query
        if query.startswith("?council="):
            # Council A's code is as unknown to SRO B as a made-up one: no file, the list
            # says so in the same words.
            assert response.status_code == 302, query
            assert response["Location"] == reverse("learners:list") + query
            assert f"Council has no option “{a_code}”" in page.text, query
        else:
            assert response.status_code == 200, query
            rows = _export_rows(response)
            assert all(row["council_code"] == world.b.council.code for row in rows), query
            assert world.a.learner.email not in {row["email"] for row in rows}, query
        shown = page.text.replace(a_surname, "").replace(a_code, "")
        for text in (*world.a.texts, *world.a.paths):
            assert text not in shown, f"{query} shows {text!r}"


def test_the_learners_network_is_for_learners_and_the_programme(client, world, db):
    """The matrix names the SRO Network; the Learners Network is the other way round."""
    url = reverse("networks:detail", args=[Network.objects.get(audience="learners").pk])
    expected = {"learner_a": 200, "learner_b": 200, "sro_a": 404, "sro_b": 404, "staff": 200}
    for role, status in expected.items():
        sign_in_as(client, world, role)
        assert client.get(url).status_code == status, role
