import functools

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cmpp.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        share_govuk_component_environment()


def share_govuk_component_environment() -> None:
    """govuk-frontend-django builds a new Jinja environment each time it renders a component, so
    every page recompiled the GOV.UK header, service navigation and footer macros (about half a
    page's render time). It always builds it with the same loader and autoescaping, so one
    environment, built once, serves them all; Jinja environments are safe to share between
    threads. Checked against govuk-frontend-django 0.22 (pinned)."""
    from govuk_frontend_django.components import base

    if getattr(base.Environment, "cmpp_shared", False):
        return
    make_environment = base.Environment

    @functools.cache
    def shared():
        return make_environment(
            loader=base.ChoiceLoader(
                [
                    base.PrefixLoader(
                        {"govuk_frontend_jinja": base.PackageLoader("govuk_frontend_jinja")}
                    )
                ]
            ),
            autoescape=base.select_autoescape(),
        )

    def environment(**kwargs):
        # Whatever it passes (the same loader and autoescaping each time), one environment.
        return shared()

    environment.cmpp_shared = True
    base.Environment = environment
