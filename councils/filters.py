"""The lists' filters: councils (managing body, status, LGA priority, region, nation, search),
support engagements (status, specialist, managing body) and maturity assessments (status,
kind, managing body)."""

import django_filters
from django.utils import timezone

from cmpp.accounts.selectors import managing_bodies
from cmpp.core.forms import FilterForm
from councils.models import Council, MaturityAssessment, SupportEngagement
from councils.selectors import council_search_q, councils_managed_by, specialists_with_engagements


class CouncilFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or ONS code")
    body = django_filters.ModelChoiceFilter(
        label="Managing body",
        queryset=managing_bodies().order_by("name"),
        to_field_name="slug",
        empty_label="Any managing body",
        method="managed_by",
    )
    status = django_filters.ChoiceFilter(choices=Council.Status.choices, empty_label="Any status")
    lga_priority = django_filters.ChoiceFilter(
        label="LGA priority",
        choices=[("yes", "LGA priority councils"), ("no", "Other councils")],
        empty_label="Any council",
        method="priority",
    )
    region = django_filters.ChoiceFilter(choices=Council.Region.choices, empty_label="Any region")
    nation = django_filters.ChoiceFilter(choices=Council.Nation.choices, empty_label="Any nation")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        empty_label="Name (A to Z)",
        null_label=None,
        fields=(("name", "name"), ("code", "code"), ("onboarded_on", "onboarded")),
        field_labels={
            "name": "Name (A to Z)",
            "-name": "Name (Z to A)",
            "code": "Code (A to Z)",
            "-code": "Code (Z to A)",
            "onboarded": "Onboarded, earliest first",
            "-onboarded": "Onboarded, latest first",
        },
    )

    class Meta:
        model = Council
        form = FilterForm
        fields = ["q", "body", "status", "lga_priority", "region", "nation"]

    def search(self, queryset, name, value):
        return queryset.filter(council_search_q(value))

    def managed_by(self, queryset, name, value):
        return queryset.filter(
            managing_body_periods__organisation=value, managing_body_periods__ends_on__isnull=True
        )

    def priority(self, queryset, name, value):
        return queryset.filter(lga_priority=value == "yes")


def _managing_body_filter():
    return django_filters.ModelChoiceFilter(
        label="Managing body",
        queryset=managing_bodies().order_by("name"),
        to_field_name="slug",
        empty_label="Any managing body",
        method="managed_by",
    )


class ManagedByToday:
    """Records of the councils an organisation manages today (`councils_managed_by`)."""

    def managed_by(self, queryset, name, value):
        return queryset.filter(
            council__in=councils_managed_by(value, on=timezone.localdate()).values("pk")
        )


class SupportFilter(ManagedByToday, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=SupportEngagement.Status.choices, empty_label="Any status"
    )
    specialist = django_filters.ModelChoiceFilter(
        queryset=specialists_with_engagements(),
        empty_label="Any specialist",
        null_label="No specialist yet",
        null_value="none",
    )
    body = _managing_body_filter()

    class Meta:
        model = SupportEngagement
        form = FilterForm
        fields = ["status", "specialist", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["specialist"].field.label_from_instance = lambda user: (
            user.get_full_name() or user.email
        )


class MaturityFilter(ManagedByToday, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=MaturityAssessment.Status.choices, empty_label="Any status"
    )
    kind = django_filters.ChoiceFilter(
        label="Assessment", choices=MaturityAssessment.Kind.choices, empty_label="Any assessment"
    )
    body = _managing_body_filter()

    class Meta:
        model = MaturityAssessment
        form = FilterForm
        fields = ["status", "kind", "body"]
