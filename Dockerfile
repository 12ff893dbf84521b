# One image for web, worker and beat (docker-compose.yml picks the command). Two stages: Node
# builds the stylesheet and fetches GOV.UK Frontend's files, then the final image takes only
# those files; it has Python, the locked packages and the portal, and no Node.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=optional
COPY static/scss static/scss
RUN mkdir -p var/static-build/css && npm run build


FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=false \
    PATH=/app/.venv/bin:$PATH \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    GOVUK_FRONTEND_DIR=/app/var/govuk-frontend
# WeasyPrint draws the PDF reports with the system's Pango; DejaVu is the reports' fallback font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /home/cmpp cmpp

WORKDIR /app
# The Python packages are uv.lock's, checked against its hashes, in /app/.venv (first on PATH, so
# `python`, `gunicorn` and `celery` are its own); the dev extra stays out. This image writes no
# .pyc files as it runs, so uv compiles them once here. uv itself is removed afterwards.
RUN pip install --no-cache-dir --root-user-action=ignore uv==0.13.9
COPY pyproject.toml uv.lock ./
COPY cmpp cmpp
COPY councils councils
COPY cohorts cohorts
COPY learners learners
COPY networks networks
RUN uv sync --locked --no-cache \
    && pip uninstall --yes --root-user-action=ignore uv
COPY . .
COPY --from=assets /build/var/static-build var/static-build
COPY --from=assets /build/node_modules/govuk-frontend/dist/govuk var/govuk-frontend
# Static files are collected (hashed names, compressed) at build time: the running container
# only reads them. The key is a placeholder: collectstatic signs nothing.
RUN SECRET_KEY=collectstatic-only-not-a-key python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R cmpp var/media

USER cmpp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "cmpp.core.probe", "web"]
CMD ["gunicorn", "cmpp.wsgi"]
