"""gunicorn's own lines (workers starting, timing out) in the portal's format.

Run gunicorn with `--logger-class cmpp.core.gunicorn_logging.PortalLogger`: its error log then
goes through settings.LOGGING like the portal's (JSON in production), not in a format of its
own. Its access log is never written, whatever the command line says: the request line it
writes holds the query string (searches hold names and email addresses), and
cmpp.core.logging.RequestLogMiddleware writes one line per request without it."""

import logging.config
import os

from gunicorn import glogging


class PortalLogger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn sets up its logging before it loads the portal, so settings are read here.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmpp.settings")
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                if getattr(handler, "_gunicorn", False):
                    log.removeHandler(handler)
        self.error_log.propagate = True

    def access(self, resp, req, environ, request_time):
        """RequestLogMiddleware logs each request, without its query string."""
