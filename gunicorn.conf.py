"""gunicorn's settings, read from the working directory by `gunicorn cmpp.wsgi` as the Dockerfile
and docker-compose.yml run it. Each comes from the environment, so a deployment tunes it in its
`.env` without a new image."""

import os
from pathlib import Path

# PORT and WEB_CONCURRENCY are the names gunicorn itself reads where no config file is given.
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
# Sync workers, each serving one request at a time: about two per CPU. Not threads: the GOV.UK
# component tags keep what they collect on the compiled template between renders
# (docs/architecture.md, "GOV.UK components"), so two requests in one process could mix.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request still running after this many seconds is killed (a report or an import never runs in
# a request: they are Celery tasks).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# The portal logs every request itself, as one JSON line with the user's id, not their address
# (cmpp/core/logging.py): gunicorn's access log would repeat it with the query string.
accesslog = None
errorlog = "-"
# Workers' heartbeat files in memory, not on a container's overlay filesystem, where a slow disk
# can make gunicorn think a worker is stuck.
# (gunicorn's own file in a directory only this container uses: not the shared /tmp S108 means.)
if Path("/dev/shm").is_dir():  # noqa: S108  # nosec B108
    worker_tmp_dir = "/dev/shm"  # noqa: S108  # nosec B108
# gunicorn's own lines (workers starting, timing out) through the portal's logging: JSON lines.
logger_class = "cmpp.core.gunicorn_logging.PortalLogger"
