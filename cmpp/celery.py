"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import os

from celery import Celery
from celery.signals import setup_logging

from cmpp.core.logging import task_logging_connect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmpp.settings")

app = Celery("cmpp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
task_logging_connect()


@setup_logging.connect(weak=False)
def logging_configure(**kwargs):
    """The worker and beat log as the web does (settings.LOGGING: JSON in production): with a
    receiver here, Celery leaves the root logger alone instead of putting its own format on it."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
