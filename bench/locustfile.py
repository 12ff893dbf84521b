"""Load: staff, viewers, SROs and learners using the portal at once, in proportions 5 : 2 : 40 :
200, each signing in once through the sign-in form (with an authenticator code where MFA asks
for one), then reading their usual pages with one to five seconds between them.

`bench/load.py` runs it (headless) and prepares what it reads: `CMPP_BENCH_POOLS`, a JSON file of
each role's accounts and the records they open (each simulated person takes an account of their
own, so no two share one), and where to write its figures, `CMPP_BENCH_RESULTS`. With
`CMPP_BENCH_STEPS` ("50,100,200,400") and `CMPP_BENCH_STEP_SECONDS` it steps the users up, stage
by stage, and stops after the first stage whose p95 passes 2 s or that has errors.

Its own figures leave the sign-in requests apart from the browsing ones (a sign-in hashes a
password on purpose), per stage: p50, p95, p99, requests per second and the errors by kind.
"""

import itertools
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.serve import CSRF_FIELD, DEMO_PASSWORD, totp_code  # noqa: E402

POOLS = json.loads(Path(os.environ["CMPP_BENCH_POOLS"]).read_text())
RESULTS = os.environ.get("CMPP_BENCH_RESULTS")
STEPS = [int(n) for n in os.environ.get("CMPP_BENCH_STEPS", "").split(",") if n]
STEP_SECONDS = float(os.environ.get("CMPP_BENCH_STEP_SECONDS", "90"))
SPAWN_RATE = float(os.environ.get("CMPP_BENCH_SPAWN_RATE", "2"))
BREAK_P95_MS = 2000
TIMEOUT = 30  # gunicorn's own worker timeout
_accounts = {role: itertools.cycle(POOLS[role]) for role in ("staff", "viewer", "sro", "learner")}
_addresses = itertools.count(1)
_started = time.monotonic()
# (stage, browsing or sign-in) -> [(response ms, failed)]; errors: stage -> Counter of kinds.
_samples = defaultdict(list)
_errors = defaultdict(Counter)
_by_page = defaultdict(list)  # (stage, request name) -> [response ms]


def _stage() -> str:
    if not STEPS:
        return "steady"
    index = min(int((time.monotonic() - _started) // STEP_SECONDS), len(STEPS) - 1)
    return str(STEPS[index])


@events.test_start.add_listener
def _reset_clock(**kwargs):
    global _started
    _started = time.monotonic()


@events.request.add_listener
def _record(name, response_time, exception, response=None, **kwargs):
    stage = _stage()
    kind = "sign-in" if name.startswith("sign in") else "browsing"
    _samples[(stage, kind)].append((response_time, exception is not None))
    _by_page[(stage, name)].append(response_time)
    if exception is not None:
        status = getattr(response, "status_code", None)
        _errors[stage][f"{name}: {status or type(exception).__name__}"] += 1


def _percentile(values, percent):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, -(-percent * len(ordered) // 100)) - 1]


def _summary(stage: str) -> dict:
    figures = {}
    for kind in ("browsing", "sign-in"):
        samples = _samples.get((stage, kind), [])
        times = [ms for ms, _ in samples]
        figures[kind] = {
            "requests": len(samples),
            "failures": sum(failed for _, failed in samples),
            "p50": _percentile(times, 50),
            "p95": _percentile(times, 95),
            "p99": _percentile(times, 99),
        }
    figures["errors"] = dict(_errors.get(stage, {}))
    pages = [
        {
            "name": name,
            "requests": len(times),
            "p50": _percentile(times, 50),
            "p95": _percentile(times, 95),
            "total_ms": sum(times),
        }
        for (page_stage, name), times in _by_page.items()
        if page_stage == stage
    ]
    figures["pages"] = sorted(pages, key=lambda page: -page["total_ms"])
    return figures


@events.quitting.add_listener
def _write(environment, **kwargs):
    if not RESULTS:
        return
    stages = [str(n) for n in STEPS] if STEPS else ["steady"]
    Path(RESULTS).write_text(
        json.dumps(
            {
                "stages": {s: _summary(s) for s in stages if any(k[0] == s for k in _samples)},
                "duration": time.monotonic() - _started,
            },
            indent=1,
        )
    )


class _Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 5)

    def on_start(self):
        self.account = next(_accounts[self.role])
        self.email = self.account["email"]
        # As behind one proxy: each person's own address, so sign-in limits are per person.
        n = next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        for _ in range(3):
            if self.sign_in():
                break

    def sign_in(self) -> bool:
        """Through the forms, as a person does; whether it worked (a refusal or a timeout is
        counted as an error, and the person tries again)."""
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="sign in: form", timeout=TIMEOUT)
        token = CSRF_FIELD.search(page.text)
        if not token:
            return False
        answer = self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "login": self.email,
                "password": DEMO_PASSWORD,
            },
            name="sign in: password",
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if answer.status_code != 302:
            return False
        if "/2fa/authenticate/" in answer.headers.get("Location", ""):
            for _ in range(3):
                page = self.client.get(
                    "/accounts/2fa/authenticate/", name="sign in: code form", timeout=TIMEOUT
                )
                token = CSRF_FIELD.search(page.text)
                with self.client.post(
                    "/accounts/2fa/authenticate/",
                    {"csrfmiddlewaretoken": token.group(1) if token else "", "code": totp_code()},
                    name="sign in: code",
                    allow_redirects=False,
                    timeout=TIMEOUT,
                    catch_response=True,
                ) as answer:
                    if answer.status_code == 302:
                        answer.success()
                        return True
                    # The account used this code within its 30 seconds: wait for the next.
                    answer.success()
                time.sleep(31 - time.time() % 30)
            return False
        return True

    def page(self, path: str, name: str | None = None):
        with self.client.get(
            path, name=name or path, timeout=TIMEOUT, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302 and "/accounts/login/" in response.headers.get(
                "Location", ""
            ):
                response.failure("signed out")
                self.sign_in()
            elif response.status_code != 200:
                response.failure(f"answered {response.status_code}")


class Staff(_Person):
    weight = 5
    role = "staff"

    @task(3)
    def dashboard(self):
        self.page("/")

    @task(4)
    def learners(self):
        query = random.choice(["", "?sort=-steps", "?sort=council", "?sort=progress"])
        number = random.randint(1, 400)
        self.page(f"/learners/{query or '?'}&page={number}".replace("?&", "?"), "/learners/?…")

    @task(4)
    def learner(self):
        self.page(f"/learners/{random.choice(POOLS['learner_ids'])}/", "/learners/[id]/")

    @task(2)
    def councils(self):
        self.page("/councils/")

    @task(3)
    def council(self):
        self.page(f"/councils/{random.choice(POOLS['council_ids'])}/", "/councils/[id]/")

    @task(1)
    def cohorts(self):
        self.page("/cohorts/")

    @task(2)
    def cohort(self):
        self.page(f"/cohorts/{random.choice(POOLS['cohort_ids'])}/", "/cohorts/[id]/")

    @task(1)
    def emails(self):
        self.page("/emails/")

    @task(1)
    def networks(self):
        self.page(f"/networks/{random.choice(POOLS['network_ids'])}/", "/networks/[id]/")

    @task(1)
    def reports(self):
        self.page("/reports/")


class Viewer(_Person):
    weight = 2
    role = "viewer"

    @task(3)
    def dashboard(self):
        self.page("/")

    @task(2)
    def council(self):
        self.page(f"/councils/{random.choice(POOLS['council_ids'])}/", "/councils/[id]/")

    @task(2)
    def learners(self):
        self.page(f"/learners/?page={random.randint(1, 400)}", "/learners/?…")

    @task(2)
    def learner(self):
        self.page(f"/learners/{random.choice(POOLS['learner_ids'])}/", "/learners/[id]/")

    @task(1)
    def cohort(self):
        self.page(f"/cohorts/{random.choice(POOLS['cohort_ids'])}/", "/cohorts/[id]/")

    @task(1)
    def reports(self):
        self.page("/reports/")


class Sro(_Person):
    weight = 40
    role = "sro"

    @task(4)
    def home(self):
        self.page("/", "/ (SRO)")

    @task(2)
    def council(self):
        self.page(f"/councils/{self.account['council']}/", "/councils/[own]/")

    @task(2)
    def learners(self):
        self.page("/learners/", "/learners/ (SRO)")

    @task(3)
    def learner(self):
        if self.account["learners"]:
            self.page(f"/learners/{random.choice(self.account['learners'])}/", "/learners/[own]/")

    @task(1)
    def network(self):
        self.page(f"/networks/{POOLS['sro_network']}/", "/networks/[SRO Network]/")

    @task(1)
    def reports(self):
        self.page("/reports/", "/reports/ (SRO)")


class Learner(_Person):
    weight = 200
    role = "learner"

    @task(5)
    def me(self):
        self.page("/me/")

    @task(1)
    def network(self):
        if self.account["member"]:
            self.page(f"/networks/{POOLS['learners_network']}/", "/networks/[Learners Network]/")
        else:
            self.page("/networks/", "/networks/ (learner)")

    @task(1)
    def cpd(self):
        self.page("/me/cpd/new/")

    @task(1)
    def account_page(self):
        self.page("/accounts/", "/accounts/ (learner)")


if STEPS:

    class Steps(LoadTestShape):
        """The users stepped up stage by stage; it stops after the first stage that breaks."""

        def tick(self):
            run_time = self.get_run_time()
            index = int(run_time // STEP_SECONDS)
            if index > 0:
                finished = _summary(str(STEPS[index - 1]))["browsing"]
                if finished["failures"] or (finished["p95"] or 0) > BREAK_P95_MS:
                    return None
            if index >= len(STEPS):
                return None
            return STEPS[index], SPAWN_RATE
