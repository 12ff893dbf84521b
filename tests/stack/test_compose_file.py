"""What the production compose file and the Dockerfile promise, read from the files (this machine
has no Docker engine; tests/stack/test_smoke_stack.py runs their commands)."""

import re
import runpy

import yaml

from tests.stack.compose import BASE_DIR, compose_services

PRODUCTION = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_production_needs_its_secrets_and_has_no_default_for_them():
    environment = PRODUCTION["x-app"]["environment"]
    required = ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL")
    for name in (*required, "CMPP_PROGRAMME_CONTACT_EMAIL"):
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", environment[name]), name
    assert ":?" in environment["DATABASE_URL"]
    assert ":?" in PRODUCTION["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert environment["DEBUG"] == "false"


def test_production_seeds_no_demo_and_catches_no_mail():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    assert "seed_demo" not in text and "cmpp-demo-2026" not in text
    assert set(PRODUCTION["services"]) == {*APP_SERVICES, "postgres", "redis"}
    # The demo file adds the seed and the mail catcher, and no more.
    assert set(compose_services()) - set(PRODUCTION["services"]) == {"seed", "mailpit"}


def test_web_worker_and_beat_are_one_definition_with_their_own_commands():
    for name in APP_SERVICES:
        service = PRODUCTION["services"][name]
        assert service["image"] == PRODUCTION["x-app"]["image"]
        assert service["environment"] == PRODUCTION["x-app"]["environment"]
    commands = {name: PRODUCTION["services"][name]["command"] for name in APP_SERVICES}
    assert commands["web"][0] == "gunicorn"
    worker = commands["worker"]
    assert worker[worker.index("--queues") + 1] == "emails,reports"
    assert "beat" in commands["beat"] and "--beat" not in worker, "one beat, on its own"


def test_every_long_running_service_has_a_health_check_and_data_is_in_named_volumes():
    for name, service in PRODUCTION["services"].items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert service["healthcheck"]["test"][0] == "CMD", name
    for name in ("web", "worker", "beat"):
        depends = PRODUCTION["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
    assert set(PRODUCTION["volumes"]) == {"postgres", "redis", "media"}
    assert "postgres:/var/lib/postgresql/data" in PRODUCTION["services"]["postgres"]["volumes"]


def test_the_image_is_built_in_stages_and_runs_as_a_user_without_node():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert stages[0].startswith("node:") and stages[-1].startswith("python:3.11-slim")
    final = dockerfile.split("\nFROM ")[-1]
    assert "npm" not in final and "nodejs" not in final
    assert "uv sync --locked" in final and "collectstatic" in final
    assert re.search(r"^USER (?!root)\w+", final, re.M)


def test_every_variable_the_stack_reads_is_in_the_example_environment():
    example = (BASE_DIR / ".env.example").read_text()
    documented = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, re.M))
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", compose))
    assert used <= set(documented), used - set(documented)
    # A required setting is empty in the example, so that a copy left unfilled is refused.
    required = set(re.findall(r"\$\{([A-Z_]+):\?", compose))
    assert {name for name in required if documented[name]} == set()


def test_web_is_published_on_loopback_unless_told_otherwise():
    """Plain HTTP past the TLS proxy would skip TLS and let anyone forge X-Forwarded-For."""
    assert PRODUCTION["services"]["web"]["ports"] == [
        "${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"
    ]


def test_gunicorn_serves_one_request_a_process_whatever_the_environment(monkeypatch):
    """The GOV.UK component tags are not thread-safe (docs/architecture.md): the web service's
    gunicorn must never run threads, even where WEB_CONCURRENCY is raised."""
    monkeypatch.setenv("WEB_CONCURRENCY", "9")
    settings = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert settings["worker_class"] == "sync"
    assert settings["workers"] == 9
    assert "threads" not in settings
