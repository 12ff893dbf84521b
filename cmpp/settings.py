"""Settings for the CMPP portal, read once from the environment with safe local defaults."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Production must bring its own key; the local default only works with DEBUG on.
_LOCAL_KEY = "local-only-not-secret"
SECRET_KEY = env("SECRET_KEY", default=_LOCAL_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", _LOCAL_KEY):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value of your own: with DEBUG off the portal needs one"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_filters",
    "govuk_frontend_django",
    "cmpp.core",
    "cmpp.notifications",
    "cmpp.accounts",
    "councils",
    "cohorts",
    "learners",
    "networks",
    "cmpp.reports",
    "cmpp.portal",
    "cmpp.demo",
]

MIDDLEWARE = [
    # First, so its time covers every middleware and a redirect to HTTPS is logged too.
    "cmpp.core.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "cmpp.core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cmpp.core.middleware.NoStoreMiddleware",
    "cmpp.accounts.middleware.SessionLimitsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cmpp.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "cmpp.urls"
WSGI_APPLICATION = "cmpp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cmpp.core.context_processors.service",
                "cmpp.portal.navigation.navigation",
            ],
        },
    },
]

# var/ holds everything a local run writes: the SQLite file, mail, media and built assets.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cmpp.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Each worker keeps its connection between requests (checked before reuse) instead of
    # opening one per request; and PostgreSQL's JIT, which spent longer compiling the
    # dashboard's counts than running them, is off for the portal's short queries.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# User.email is unique through a case-insensitive constraint (Lower), which this check can't see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# NCSC password guidance: length over complexity, refuse common passwords, no forced expiry.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_ADAPTER = "cmpp.accounts.adapter.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# An address with no account costs a reset the same work as one with an account (see the form).
# allauth's forms, with GOV.UK messages (cmpp/accounts/forms.py).
ACCOUNT_FORMS = {
    "reset_password": "cmpp.accounts.forms.ResetPasswordForm",
    "login": "cmpp.accounts.forms.LoginForm",
    "reauthenticate": "cmpp.accounts.forms.ReauthenticateForm",
    "change_password": "cmpp.accounts.forms.ChangePasswordForm",
    "reset_password_from_key": "cmpp.accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Rate limits count per client address. Behind proxies, say how many append to X-Forwarded-For
# (or which header the last one sets), or every request seems to come from the proxy. Left at
# 0, X-Forwarded-For is ignored: a client could write anything in it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default=None)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "CMPP portal: "
MFA_ADAPTER = "cmpp.accounts.adapter.GovukMfaAdapter"
MFA_FORMS = {
    "authenticate": "cmpp.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "cmpp.accounts.forms.MfaReauthenticateForm",
    "activate_totp": "cmpp.accounts.forms.ActivateTotpForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CMPP portal"

# Sessions end after 30 minutes idle and 12 hours in all; SessionLimitsMiddleware renews the
# idle expiry as people use the portal and enforces the 12 hours.
SESSION_COOKIE_AGE = int(timedelta(minutes=30).total_seconds())
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CMPP_SESSION_ABSOLUTE_SECONDS = int(timedelta(hours=12).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HTTPS. The portal runs behind a proxy that ends TLS and says so in X-Forwarded-Proto (the proxy
# must overwrite any such header a client sends). A plain-HTTP trial (SECURE_COOKIES=false) is
# not sent to HTTPS it does not have. /healthz answers over plain HTTP, for checks on loopback.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/web)?$"]
# Browsers remember to use HTTPS only for a year; 0 (the DEBUG default) sends no HSTS header.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Only says the host consents to browsers' preload lists; nothing is listed until submitted.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Addresses name learners and councils: other sites are not told which page a link was on.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Features no page uses, refused to the portal and anything it might embed (PermissionsPolicy
# middleware in cmpp/core/middleware.py).
CMPP_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
# Content Security Policy (django-csp): scripts, styles and fonts only from our static files, no
# inline code and no style attributes, so injected markup cannot run. The one inline script,
# GOV.UK Frontend's `js-enabled` line in templates/base.html, is allowed by its hash, as GOV.UK
# Frontend recommends: it changes only in a breaking release, and then
# tests/core/test_security_headers.py fails until the hash here follows it. `data:` images are
# the QR code for setting up an authenticator app.
GOVUK_FRONTEND_INLINE_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, GOVUK_FRONTEND_INLINE_SCRIPT_HASH],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes (the image, at build). The smoke test collects into a folder of its
# own: WhiteNoise reads this folder whole at start-up, and each test client starts it anew.
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    VAR_DIR / "static-build",
    # GOV.UK Frontend's fonts, images and scripts: from npm here; the Docker image copies them
    # out of its Node stage to GOVUK_FRONTEND_DIR and keeps no node_modules.
    (
        "govuk-frontend",
        env(
            "GOVUK_FRONTEND_DIR",
            default=str(BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
        ),
    ),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = EMAIL_CONFIG.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
    EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
else:
    vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CMPP portal <noreply@cmpp.example.gov.uk>")
# Links in emails lead to where the portal runs: `PORT=8080 make run` serves, and links to, 8080.
# Links in emails are SITE_URL + a path that starts with "/": a trailing slash would double it.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

# The outbox's clocks, in seconds. Keep EMAIL_TIMEOUT < CMPP_EMAIL_TASK_TIME_LIMIT <
# CMPP_EMAIL_CLAIM_TIMEOUT: a row left `sending` longer than any worker may hold it is sent again.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
CMPP_EMAIL_TASK_TIME_LIMIT = env.int("CMPP_EMAIL_TASK_TIME_LIMIT", default=60)
CMPP_EMAIL_CLAIM_TIMEOUT = env.int("CMPP_EMAIL_CLAIM_TIMEOUT", default=180)
CMPP_EMAIL_STALE_AFTER = env.int("CMPP_EMAIL_STALE_AFTER", default=120)
CMPP_EMAIL_SWEEP_EVERY = env.float("CMPP_EMAIL_SWEEP_EVERY", default=60.0)
CMPP_EMAIL_RETRY_BASE = env.float("CMPP_EMAIL_RETRY_BASE", default=30.0)
if not EMAIL_TIMEOUT < CMPP_EMAIL_TASK_TIME_LIMIT < CMPP_EMAIL_CLAIM_TIMEOUT:
    raise ImproperlyConfigured(
        "Need EMAIL_TIMEOUT < CMPP_EMAIL_TASK_TIME_LIMIT < CMPP_EMAIL_CLAIM_TIMEOUT"
    )

# Celery runs tasks inline when no broker is configured, so a fresh machine needs no Redis.
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Tasks report through the database (the outbox row, the report record), never a result store:
# a result backend would make every publish wait on Redis, even when only the broker is needed.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Longer than any task runs or waits (retries are scheduled at most about 16 minutes ahead).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
# A web request or import must not hang on a broker that is down: fail fast, the sweep follows up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TIMEZONE = TIME_ZONE
# Two queues, so a worker can be given either or both: `emails` (every short task: the outbox,
# the daily and weekly digests, the sweeps) and `reports` (slow and heavy: PDF reports and big
# learner imports, so they never hold up an email). docker-compose.yml's worker takes both.
CELERY_TASK_DEFAULT_QUEUE = "emails"
CELERY_TASK_ROUTES = {
    "cmpp.reports.tasks.report_build_task": {"queue": "reports"},
    "cmpp.reports.tasks.reports_monthly_task": {"queue": "reports"},
    "cmpp.reports.tasks.reports_sweep_task": {"queue": "reports"},
    # A big learner import takes seconds to a minute: with the reports, not ahead of emails.
    "learners.tasks.learner_import_task": {"queue": "reports"},
    # The monthly anonymisation writes in batches for minutes at most: never ahead of emails.
    "learners.tasks.learners_anonymise_due_task": {"queue": "reports"},
}
# A worker takes from Redis at most one message per process (tasks are acknowledged when done),
# so a report waiting behind a 10-minute build goes to the next free process or worker instead.
# Celery sets this per worker, not per queue, and `make worker` and docker-compose's worker take
# both queues, so it holds for emails too: they are short, so this costs little.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Processes per worker (`celery worker` reads it from here unless given --concurrency).
CELERY_WORKER_CONCURRENCY = env.int("WORKER_CONCURRENCY", default=2)
CELERY_BEAT_SCHEDULE = {
    "email-sweep": {
        "task": "cmpp.notifications.tasks.email_sweep_task",
        "schedule": CMPP_EMAIL_SWEEP_EVERY,
    },
    "learner-reminders": {
        "task": "learners.tasks.reminders_queue_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Mondays at 7:30 (CELERY_TIMEZONE is London time): each SRO's learners at risk.
    "at-risk-digest": {
        "task": "learners.tasks.at_risk_digest_queue_task",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    # One digest a day of the day's pending nominations, to each managing body's staff
    # (CELERY_TIMEZONE is London time).
    "nominations-digest": {
        "task": "learners.tasks.nominations_digest_queue_task",
        "schedule": crontab(hour=17, minute=0),
    },
    # On the 1st of each month at 6:00 (CELERY_TIMEZONE is London time): each managing body's
    # programme report as at the end of the month before, and an email to its staff when ready.
    "reports-monthly": {
        "task": "cmpp.reports.tasks.reports_monthly_task",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # Fail reports stuck building past the task's time limit; queue again those never taken.
    "reports-sweep": {
        "task": "cmpp.reports.tasks.reports_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # On the 1st of each month at 3:00 (London time, a quiet hour): the personal data of
    # learners withdrawn more than CMPP_ANONYMISE_AFTER_YEARS ago (learners/services/anonymise.py).
    "learners-anonymise": {
        "task": "learners.tasks.learners_anonymise_due_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    # Queue again learner imports no worker took; delete checked files nobody confirmed.
    "learner-imports-sweep": {
        "task": "learners.tasks.learner_imports_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute, the time /healthz reads to know that beat and a worker are both alive. One
    # not taken within the minute is dropped: the next one says the same, and later.
    "beat-heartbeat": {
        "task": "cmpp.core.tasks.beat_heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}
# /healthz answers 503 when beat's heartbeat last ran longer ago than this, in seconds...
CMPP_HEALTH_BEAT_MAX_AGE = env.int("CMPP_HEALTH_BEAT_MAX_AGE", default=5 * 60)
# ... or when an email has waited to go longer than this since it was queued (or resent).
CMPP_HEALTH_EMAIL_MAX_WAIT = env.int("CMPP_HEALTH_EMAIL_MAX_WAIT", default=15 * 60)

CMPP_SERVICE_NAME = "Contract Management Pioneer Programme"
CMPP_PHASE = env("CMPP_PHASE", default="Beta")
CMPP_REQUIRE_MFA = env.bool("CMPP_REQUIRE_MFA", default=not DEBUG)
CMPP_AT_RISK_WEEKS = env.int("CMPP_AT_RISK_WEEKS", default=8)
CMPP_NOMINATIONS_PER_DAY = env.int("CMPP_NOMINATIONS_PER_DAY", default=25)
# A learner withdrawn more than this many years ago has their personal data removed (monthly).
CMPP_ANONYMISE_AFTER_YEARS = env.int("CMPP_ANONYMISE_AFTER_YEARS", default=6)
# Named in an email when the recipient's council has no managing body with a contact address.
CMPP_PROGRAMME_CONTACT_EMAIL = env(
    "CMPP_PROGRAMME_CONTACT_EMAIL", default="cmpp@communities.example.gov.uk"
)
CMPP_PAGE_SIZE = 50
# The largest file a member may share with a network (networks/resources.py).
CMPP_RESOURCE_MAX_BYTES = env.int("CMPP_RESOURCE_MAX_BYTES", default=10 * 1024 * 1024)
ADMIN_URL = env("ADMIN_URL", default="admin/")

# Every process (web, worker, beat, and gunicorn's own lines through
# cmpp.core.gunicorn_logging) logs to stderr, one line per record: JSON for a log collector in
# production, plain text for a person reading `make run`. cmpp.core.logging writes a line per
# request and per task, with ids and never personal data.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "cmpp.core.logging.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "discard": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's loggers go to the root's handler only (its own console handler would print
        # them twice when DEBUG is on).
        "django": {"handlers": [], "propagate": True},
        # The request line (cmpp.request) replaces runserver's, which holds the query string,
        # and django.request's "Not Found" warnings; its errors, with their traceback, stay.
        "django.server": {"handlers": ["discard"], "propagate": False},
        "django.request": {"level": "ERROR"},
        # The task line (cmpp.task) replaces Celery's "succeeded" and "retry" lines; its
        # failures, with their traceback, stay.
        "celery.app.trace": {"level": "WARNING"},
        # WeasyPrint narrates every step of a render at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}
