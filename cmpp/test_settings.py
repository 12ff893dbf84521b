"""Test settings: the same as production defaults, only faster."""

import tempfile
from pathlib import Path

from cmpp.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
ACCOUNT_RATE_LIMITS = False
# A cache per test process: Redis would carry rate-limit counters from one run to the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# MFA is required in production; the tests that prove it turn it on for themselves.
CMPP_REQUIRE_MFA = False
# Files the tests write (reports, uploads) go to a folder of their own, never var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cmpp-test-media-"))
# The test client and the browser tests' live server speak plain HTTP; the tests that prove the
# redirect to HTTPS turn it on for themselves.
SECURE_SSL_REDIRECT = False
# Each test request opens and closes its own connection.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
