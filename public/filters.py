"""The filters of the public recommendation list and the open-data downloads.

django-filter shows an empty list for a value it does not know; the tracker must say so
instead, so views call `filter_errors()` and answer 400 / show the message.
"""

from __future__ import annotations

import django_filters
from django.db.models import F, QuerySet

from boards.models import Board
from public import search
from recommendations.models import Organisation, Recommendation, Section, Status


class SlugChoiceFilter(django_filters.ChoiceFilter):
    """A choice filter whose error names the values it accepts."""

    def __init__(self, *args, **kwargs):
        choices = kwargs["choices"]
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": (
                    "'%(value)s' is not a known value; use one of "
                    + ", ".join(value for value, _ in choices)
                )
            },
        )
        super().__init__(*args, **kwargs)


class RecommendationFilter(django_filters.FilterSet):
    status = SlugChoiceFilter(choices=Status.choices, label="Status", empty_label="Any status")
    section = SlugChoiceFilter(
        choices=Section.choices, label="Section", empty_label="Both sections"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(ownerships__isnull=False).distinct(),
        to_field_name="slug",
        field_name="owners",
        label="Owner",
        empty_label="Any owner",
        error_messages={
            "invalid_choice": "'%(value)s' is not the slug of an organisation that owns any "
            "recommendation"
        },
    )
    board = django_filters.ModelChoiceFilter(
        queryset=Board.objects.all(),
        to_field_name="slug",
        field_name="overseeing_boards",
        label="Overseen by",
        empty_label="Any board",
        error_messages={"invalid_choice": "'%(value)s' is not the slug of a board"},
    )
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Recommendation
        fields = ["status", "section", "owner", "board", "q"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """A number, words or "a phrase": see `public.search`."""
        return search.search(queryset, value)

    def ordered(self, *ordering) -> QuerySet[Recommendation]:
        """The filtered recommendations in `ordering`, a searched-for number first."""
        queryset = self.qs
        if "number_match" in queryset.query.annotations:
            ordering = ("number_match", *ordering)
        return queryset.order_by(*ordering)


#: Parameters that links pick up on the way (campaign and click tracking): never an error.
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid"})
TRACKING_PREFIXES = ("utm_", "mc_")


def is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def parameter_errors(data, known: set[str] | tuple[str, ...]) -> list[str]:
    """Messages for every unknown parameter in `data` and every known one given twice."""
    messages = [
        f"Unknown parameter '{name}': use {', '.join(sorted(known))}"
        for name in data
        if name not in known and not is_tracking(name)
    ]
    # A repeated parameter would be read by its last value only: say so instead.
    if hasattr(data, "getlist"):
        messages += [
            f"{name}: give one value, not {len(data.getlist(name))}"
            for name in data
            if name in known and len(data.getlist(name)) > 1
        ]
    return messages


def filter_errors(
    filterset: django_filters.FilterSet, allowed_extra: tuple[str, ...] = ()
) -> list[str]:
    """Plain-words messages for every bad filter value and every unknown parameter."""
    messages = parameter_errors(filterset.data, set(filterset.filters) | set(allowed_extra))
    if not filterset.is_valid():
        for field, errors in filterset.errors.items():
            messages.extend(f"{field}: {error}" for error in errors)
    return messages


#: The list's orders (`?sort=`): each value's label and the ordering it means.
SORT_ORDERS = {
    "number": ("Number, lowest first", ("number",)),
    "-number": ("Number, highest first", ("-number",)),
    "last_updated": (
        "Last updated, oldest first",
        (F("last_updated").asc(nulls_first=True), "number"),
    ),
    "-last_updated": (
        "Last updated, newest first",
        (F("last_updated").desc(nulls_last=True), "number"),
    ),
}
DEFAULT_SORT = "number"


def sort_errors(value: str) -> list[str]:
    if value in SORT_ORDERS:
        return []
    return [f"sort: '{value}' is not a known order; use one of {', '.join(SORT_ORDERS)}"]
