"""The cohort list's filters: level, status and year, a search, and the order."""

import django_filters

from cmpp.core.forms import FilterForm
from cohorts.models import AccreditationLevel, Cohort
from cohorts.selectors import cohort_search_q


class CohortFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search cohorts")
    level = django_filters.ModelChoiceFilter(
        queryset=AccreditationLevel.objects.order_by("order"),
        to_field_name="slug",
        empty_label="Any level",
    )
    status = django_filters.ChoiceFilter(choices=Cohort.Status.choices, empty_label="Any status")
    year = django_filters.ChoiceFilter(
        method="starting_in", label="Starting in", empty_label="Any year", choices=[]
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        empty_label="Newest first",
        null_label=None,
        fields=(("starts_on", "starts"), ("name", "name"), ("code", "code")),
        field_labels={
            "starts": "Oldest first",
            "-starts": "Newest first",
            "name": "Name (A to Z)",
            "-name": "Name (Z to A)",
            "code": "Code (A to Z)",
            "-code": "Code (Z to A)",
        },
    )

    class Meta:
        model = Cohort
        form = FilterForm
        fields = ["q", "level", "status", "year"]

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]

    def search(self, queryset, name, value):
        return queryset.filter(cohort_search_q(value))

    def starting_in(self, queryset, name, value):
        return queryset.filter(starts_on__year=int(value))
