import functools

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cmpp.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        share_govuk_component_environment()


def share_govuk_component_environment() -> None:
    """govuk-frontend-django builds a new Jinja environment each time it renders a component, and
    compiles a two-line template (import the component's macro, call it) each time too: a page
    of 50 rows with a tag in each compiled 50 templates, most of a list's render time. It always
    builds the environment with the same loader and autoescaping, so one environment, built once,
    serves them all, and it remembers each compiled template by its source (one per component,
    about twenty in all). Jinja environments and templates are safe to share between threads.
    Checked against govuk-frontend-django 0.22 (pinned)."""
    from govuk_frontend_django.components import base

    if getattr(base.Environment, "cmpp_shared", False):
        return

    class ComponentEnvironment(base.Environment):
        @functools.lru_cache(maxsize=128)  # noqa: B019 - one environment, alive as long as the process
        def _compiled(self, source: str):
            return super().from_string(source)

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's name
            if globals is None and template_class is None and isinstance(source, str):
                return self._compiled(source)
            return super().from_string(source, globals, template_class)

    @functools.cache
    def shared():
        return ComponentEnvironment(
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
