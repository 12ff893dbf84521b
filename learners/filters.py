"""The learner list's filters, shared by the page and its CSV export: council, cohort, level,
status, "no progress for 8 weeks", a search, and the order (stored columns only: steps done is
`Learner.steps_done`, the council its name)."""

import django_filters
from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ChoiceField

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.forms import FilterForm
from cmpp.core.templatetags.cmpp_tags import options_html
from cohorts.models import AccreditationLevel, Cohort
from councils.models import Council
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


class _Options:
    """A long list of choices by code, read once: the choices, each code's id, and the options'
    markup. Shared, never changed, so a form's deep copy of its fields keeps it as it is."""

    def __init__(self, rows):
        self.choices = [(code, label) for code, label, _ in rows]
        self.ids = {code: pk for code, _, pk in rows}
        self.html = options_html(self.choices)

    def __deepcopy__(self, memo):
        return self


class _OptionsField(ChoiceField):
    def __init__(self, *args, options: _Options, **kwargs):
        self.options = options
        # A callable, not the list: a form deep-copies its fields (and a list's every choice).
        super().__init__(*args, choices=lambda: options.choices, **kwargs)

    @property
    def options_html(self) -> str:
        return options_html([("", self.empty_label)]) + self.options.html


class _ByCodeFilter(django_filters.ChoiceFilter):
    """Choose a council or cohort by its code, from options the filter set gives it."""

    field_class = _OptionsField


def _council_rows(councils):
    return [(code, name, pk) for code, name, pk in councils.values_list("code", "name", "pk")]


def _cohort_rows():
    rows = Cohort.objects.order_by("-starts_on", "code").values_list("code", "name", "pk")
    return [(code, Cohort.title_of(name, code), pk) for code, name, pk in rows]


# Per process: the whole programme's council and cohort options, read again only when either
# table has changed (a row added, edited or removed changes its count, last update or last id).
_whole_programme: dict = {}


def _whole_programme_options() -> tuple[_Options, _Options]:
    fingerprint = tuple(
        tuple(model.objects.aggregate(Count("pk"), Max("updated_at"), Max("pk")).values())
        for model in (Council, Cohort)
    )
    if fingerprint not in _whole_programme:
        councils = _Options(_council_rows(Council.objects.order_by("name")))
        _whole_programme.clear()
        _whole_programme[fingerprint] = (councils, _Options(_cohort_rows()))
    return _whole_programme[fingerprint]


class LearnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, email or council code")
    # Hundreds of councils and cohorts, chosen by code: read as plain rows (code, label, id),
    # once per process until either table changes, with their options' markup made once. As
    # model objects read on each request they took a quarter of the list's time.
    council = _ByCodeFilter(label="Council", empty_label="Any council", method="in_council")
    cohort = _ByCodeFilter(label="Cohort", empty_label="Any cohort", method="in_cohort")
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
        form = FilterForm
        fields = ["q", "council", "cohort", "level", "status", "stalled"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        if user_sees_whole_programme(user):
            councils, cohorts = _whole_programme_options()
            self.filters["council"].extra["options"] = councils
            self.filters["cohort"].extra["options"] = cohorts
        else:
            # Cohorts are programme records: an SRO neither filters by them nor learns which
            # codes exist. The page and its export drop the filter alike.
            del self.filters["cohort"]
            councils = councils_visible_to(user).order_by("name")
            self.filters["council"].extra["options"] = _Options(_council_rows(councils))

    def valid_query(self) -> str:
        """The query string without the filters in error: the learners the page lists once it
        has said which filter it could not use, and so what its CSV link downloads."""
        query = self.data.copy()
        for name in self.errors:
            query.pop(name, None)
        return query.urlencode()

    def search(self, queryset, name, value):
        return queryset.filter(learner_search_q(value))

    def _id_of(self, name: str, code: str) -> int:
        return self.filters[name].extra["options"].ids[code]

    def in_council(self, queryset, name, value):
        return queryset.filter(council_id=self._id_of(name, value))

    def in_cohort(self, queryset, name, value):
        # EXISTS rather than a join, so the count and the page need no DISTINCT.
        return queryset.filter(
            Exists(
                Enrolment.objects.filter(
                    learner=OuterRef("pk"),
                    cohort_id=self._id_of(name, value),
                    status__in=[*Enrolment.OPEN_STATUSES, Enrolment.Status.COMPLETED],
                )
            )
        )

    def without_progress(self, queryset, name, value):
        return queryset.filter(at_risk_q())
