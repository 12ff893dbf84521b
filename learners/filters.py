"""The learner list's filters, shared by the page and its CSV export: council, cohort, level,
status, "no progress for 8 weeks", a search, and the order (stored columns only: steps done is
`Learner.steps_done`, the council its name)."""

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef
from django_filters.constants import EMPTY_VALUES

from cmpp.accounts.selectors import user_sees_whole_programme
from cohorts.models import AccreditationLevel, Cohort
from councils.selectors import councils_visible_to
from learners.models import Enrolment, Learner
from learners.selectors import LIST_ORDER, at_risk_q, learner_search_q


class _ListOrdering(django_filters.OrderingFilter):
    """The chosen order, then the list's name order (or, sorting by name, first name and id the
    same way), so that every page is stable and read from one of the learner indexes."""

    def get_ordering_value(self, param):
        field = super().get_ordering_value(param)
        if field.lstrip("-") == "last_name":
            sign = "-" if field.startswith("-") else ""
            return [f"{sign}{name}" for name in LIST_ORDER]
        return [field, *LIST_ORDER]

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [
            key
            for param in value
            if param not in EMPTY_VALUES
            for key in self.get_ordering_value(param)
        ]
        return qs.order_by(*ordering)


class LearnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, email or council code")
    council = django_filters.ModelChoiceFilter(
        queryset=None, to_field_name="code", empty_label="Any council"
    )
    cohort = django_filters.ModelChoiceFilter(
        label="Cohort",
        queryset=None,
        to_field_name="code",
        empty_label="Any cohort",
        method="in_cohort",
    )
    level = django_filters.ModelChoiceFilter(
        label="Target level",
        queryset=AccreditationLevel.objects.order_by("order"),
        field_name="target_level",
        to_field_name="slug",
        empty_label="Any level",
    )
    status = django_filters.ChoiceFilter(choices=Learner.Status.choices, empty_label="Any status")
    stalled = django_filters.ChoiceFilter(
        label="Progress",
        choices=[("yes", f"No progress for {settings.CMPP_AT_RISK_WEEKS} weeks")],
        empty_label="Any progress",
        method="without_progress",
    )
    sort = _ListOrdering(
        label="Sort by",
        empty_label="Name (A to Z)",
        null_label=None,
        fields=(
            ("last_name", "name"),
            ("council__name", "council"),
            ("last_progress_on", "progress"),
            ("steps_done", "steps"),
        ),
        field_labels={
            "name": "Name (A to Z)",
            "-name": "Name (Z to A)",
            "council": "Council (A to Z)",
            "-council": "Council (Z to A)",
            "progress": "Last progress, oldest first",
            "-progress": "Last progress, newest first",
            "steps": "Steps done, fewest first",
            "-steps": "Steps done, most first",
        },
    )

    class Meta:
        model = Learner
        fields = ["q", "council", "cohort", "level", "status", "stalled"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Hundreds of councils and cohorts become options: read only what an option shows.
        self.filters["council"].queryset = (
            councils_visible_to(user).only("pk", "code", "name").order_by("name")
        )
        if user_sees_whole_programme(user):
            self.filters["cohort"].queryset = Cohort.objects.only("pk", "code", "name").order_by(
                "-starts_on"
            )
        else:
            # Cohorts are programme records: an SRO neither filters by them nor learns which
            # codes exist. The page and its export drop the filter alike.
            del self.filters["cohort"]

    def search(self, queryset, name, value):
        return queryset.filter(learner_search_q(value))

    def in_cohort(self, queryset, name, value):
        # EXISTS rather than a join, so the count and the page need no DISTINCT.
        return queryset.filter(
            Exists(
                Enrolment.objects.filter(
                    learner=OuterRef("pk"),
                    cohort=value,
                    status__in=[*Enrolment.OPEN_STATUSES, Enrolment.Status.COMPLETED],
                )
            )
        )

    def without_progress(self, queryset, name, value):
        return queryset.filter(at_risk_q())
