# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The Python packages are uv.lock's, checked against its hashes, in /app/.venv (first on PATH, so
# `python`, `gunicorn` and `celery` are its own); the dev extra stays out. This image writes no
# .pyc files as it runs, so uv compiles them once here.
ENV PATH=/app/.venv/bin:$PATH UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir --root-user-action=ignore uv==0.13.9
COPY pyproject.toml uv.lock package.json package-lock.json ./
COPY cmpp cmpp
COPY councils councils
COPY cohorts cohorts
COPY learners learners
COPY networks networks
RUN uv sync --locked --no-cache && npm ci --no-audit --no-fund
COPY . .
RUN mkdir -p var/static-build/css && npm run build \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --create-home cmpp && chown -R cmpp /app/var
USER cmpp
EXPOSE 8000
CMD ["gunicorn", "cmpp.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
