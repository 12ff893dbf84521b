"""The CMPP portal project package."""

from cmpp.celery import app as celery_app

__all__ = ("celery_app",)
