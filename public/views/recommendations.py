"""The public site's recommendation pages: the progress report, the list, one recommendation,
one organisation, the annual report and the open-data downloads."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.forms import ModelChoiceField
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView
from django_filters import ModelChoiceFilter
from markupsafe import Markup, escape

from boards.models import Action, AgendaItem, Board
from public import opendata, reports, search
from public.filters import (
    DEFAULT_SORT,
    SORT_ORDERS,
    RecommendationFilter,
    filter_errors,
    parameter_errors,
    sort_errors,
)
from public.forms import AsAtForm
from public.freshness import remembered
from public.middleware import STAMP_KEY
from public.prepared import Prepared
from public.templating import date, links, truncatewords, url
from public.views.boards import where_actions_stand
from recommendations.models import (
    STATUS_CHOICES,
    STATUS_LABELS,
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    Section,
    StatusCount,
    StatusTally,
    TargetDateChange,
)
from reporting import evidence as evidence_files
from reporting.models import Evidence

LATEST_UPDATES_SHOWN = 10
#: What the list shows of each recommendation (the rest of the row is not read).
LIST_FIELDS = ("number", "text", "status", "last_updated")


class Bar(NamedTuple):
    """A status's count, and the link to the list filtered to it (None: no link)."""

    item: StatusCount
    url: str | None


def status_bars(tally: StatusTally, filters: dict[str, str] | None) -> list[Bar]:
    """Each status's count, with a link to the list filtered to it (and to `filters`).

    No links when `filters` is None: a position on a past date (`?as_at=`) is not what the
    list, which shows today's status, would give.
    """
    if filters is None:
        return [Bar(item, None) for item in tally.by_status]
    prefix = _status_link_prefix(url("recommendations:list"), filters)
    return [Bar(item, prefix + item.slug) for item in tally.by_status]


def _status_link_prefix(list_path: str, filters: dict[str, str]) -> str:
    """The list's URL filtered to `filters`, up to the status's value: status values are
    URL-safe slugs, so the filters are encoded once, not once a status."""
    return f"{list_path}?{urlencode(filters)}&status=" if filters else f"{list_path}?status="


def _tally_rows(tallies: dict[tuple, StatusTally], label, link, filters, linked: bool) -> Markup:
    """The rows of the `tally_table` macro, as HTML: a group (section, owner) with its link,
    each status's count with a link to the list filtered to that group and status (when
    `linked` and there is something to list), the total and the resolved ones.

    Written here rather than by the macro: the owners' table has some 35 rows of a dozen
    values each, and the template escaped every value (the counts too) and looked up every
    attribute, 0.6 ms of the progress report's 2.8. Only the names and links need escaping,
    once a row; the rest is numbers and the fixed labels (`_CELL_LABELS`).
    """
    list_path = url("recommendations:list")
    rows = []
    for key, tally in tallies.items():
        prefix = escape(_status_link_prefix(list_path, filters(key))) if linked else None
        cells = "".join(
            f'{_CELL_LABELS[item.slug]}<a href="{prefix}{item.slug}">{item.count}</a></td>'
            if prefix and item.count
            else f"{_CELL_LABELS[item.slug]}{item.count}</td>"
            for item in tally.by_status
        )
        resolved = tally.resolved
        rows.append(
            f'\n    <tr>\n      <th scope="row"><a href="{escape(link(key))}">'
            f"{escape(label(key))}</a></th>\n      {cells}\n      "
            f'<td class="numeric" data-label="Total">{tally.total}</td>\n      '
            f'<td class="numeric" data-label="Resolved either way">{resolved.count} '
            f"({resolved.percent}%)</td>\n    </tr>\n    "
        )
    return Markup("".join(rows))


#: The opening of each status's cell in a `_tally_rows` row, by status.
_CELL_LABELS = {
    value: f'<td class="numeric" data-label="{escape(label)}">' for value, label in STATUS_CHOICES
}


#: Today's position, as the progress report shows it: its queries compiled once (see
#: public/prepared.py), since building their SQL cost more than running it.
_TODAY_BY_SECTION = Prepared(lambda: Recommendation.objects.current().tally_by_rows("section"), 0)
_TODAY_BY_OWNER = Prepared(
    lambda: Recommendation.objects.current().tally_by_rows("owners__name", "owners__slug"), 0
)
_NEWEST_UPDATES = Prepared(lambda: _newest_updates(ProgressUpdate.objects.published()), 0)


@require_safe
def progress_report(request: HttpRequest) -> HttpResponse:
    """The summary: each status out of the total, by section and by owner, latest updates."""
    form = AsAtForm(request.GET)
    errors = parameter_errors(request.GET, known=("as_at",))
    errors += form.error_messages()
    as_at = form.cleaned_data["as_at"] if form.is_valid() and not errors else None
    if as_at:
        recommendations = Recommendation.objects.as_at(as_at)
        by_section = recommendations.tally_by("section")
        by_owner = recommendations.tally_by("owners__name", "owners__slug")
        published = ProgressUpdate.objects.published().filter(date__lte=as_at)
        latest = _newest_updates(published)
    else:
        by_section = StatusTally.grouped(_TODAY_BY_SECTION())
        by_owner = StatusTally.grouped(_TODAY_BY_OWNER())
        latest = _NEWEST_UPDATES()
    # Every recommendation is in a section: the whole is the sum of the sections.
    tally = StatusTally.combined(by_section.values())
    linked = not as_at and not errors
    organisation = links("recommendations:organisation")
    context = {
        "form": form,
        "errors": errors,
        "as_at": as_at,
        "tally": tally,
        "bars": status_bars(tally, {} if linked else None),
        "by_section": _tally_rows(
            {(s.value,): by_section[(s.value,)] for s in Section if (s.value,) in by_section},
            label=lambda key: Section(key[0]).label,
            link=lambda key: f"{url('recommendations:list')}?{urlencode({'section': key[0]})}",
            filters=lambda key: {"section": key[0]},
            linked=linked,
        ),
        "by_owner": _tally_rows(
            by_owner,
            label=lambda key: key[0],
            link=lambda key: organisation(key[1]),
            filters=lambda key: {"owner": key[1]},
            linked=linked,
        ),
        "latest_updates": [LatestUpdate(*row) for row in latest],
        "report_years": reports.report_years(),
    }
    status = 400 if errors else 200
    return render(request, "public/progress_report.html", context, status=status)


class LatestUpdate(NamedTuple):
    """What the progress report lists of a recent update: read as plain values, not models."""

    pk: int
    date: datetime.date
    status: str
    text: str
    number: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _newest_updates(published: QuerySet[ProgressUpdate]) -> QuerySet:
    """The newest of `published` updates, as rows of `LatestUpdate`."""
    fields = ("pk", "date", "status", "text", "recommendation__number")
    return published.newest_first().values_list(*fields)[:LATEST_UPDATES_SHOWN]


class RecommendationListView(ListView):
    """Every recommendation, filtered, sorted and paged; bad filter values are a 400."""

    template_name = "public/recommendation_list.html"
    context_object_name = "recommendations"
    paginate_by = 25

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.filterset = RecommendationFilter(request.GET, queryset=Recommendation.objects.all())
        self.sort = request.GET.get("sort") or DEFAULT_SORT
        self.errors = filter_errors(self.filterset, allowed_extra=("sort", "page"))
        self.errors += sort_errors(self.sort)
        response = super().get(request, *args, **kwargs)
        if self.errors:
            response.status_code = 400
        return response

    def get_paginate_by(self, queryset: QuerySet[Recommendation]) -> int | None:
        # Unpaged when the request is bad, so that any page number gets the 400 message.
        return None if self.errors else self.paginate_by

    def get_queryset(self) -> QuerySet[Recommendation] | FilteredList:
        if self.errors:
            return Recommendation.objects.none()
        cleaned = self.filterset.form.cleaned_data
        # A search, or a filter FilteredList does not know of, goes the filter set's way.
        if {name for name, value in cleaned.items() if value} <= set(PLAIN_FILTERS):
            return FilteredList(cleaned, self.sort)
        _, ordering = SORT_ORDERS[self.sort]
        return self.filterset.ordered(*ordering).only(*LIST_FIELDS)

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        # The public data's stamp, read for this request (public/middleware.py): what the
        # page shows alike for every search is kept for it (freshness.remembered).
        stamp = self.request.META.get(STAMP_KEY)
        filters = {
            name: value
            for name, value in self.request.GET.items()
            if name in self.filterset.filters and value
        }
        context = super().get_context_data(
            filter=self.filterset,
            errors=self.errors,
            sort=self.sort,
            filter_fields=_filter_fields(self.filterset.form, stamp),
            sort_choices=[(value, label) for value, (label, _) in SORT_ORDERS.items()],
            filter_query=urlencode(filters),
            is_filtered=bool(filters),
            **kwargs,
        )
        _attach_owners(context["object_list"], stamp)
        if filters.get("q") and not self.errors:
            search.attach_snippets(context["object_list"], filters["q"])
        detail = links("recommendations:detail")
        context["rows"] = [ListRow.of(r, detail) for r in context["object_list"]]
        return context


class FilteredList:
    """The list's recommendations for filters without a search, as Django's paginator takes
    them: their `count()`, and a page of them as a slice.

    The same queries as the filter set's own (each filter's `filter()` builds them), their
    SQL made once for each combination of filters, order and page (see prepared.py): on
    PostgreSQL, building the count's and the page's SQL through the ORM took 0.6 ms of the
    0.9 the two queries took, on each filter and each page of the list.
    """

    def __init__(self, cleaned: dict[str, Any], sort: str) -> None:
        self.names = tuple(name for name in PLAIN_FILTERS if cleaned.get(name))
        # A model choice is compared by its primary key, as its filter compares it.
        self.values = tuple(getattr(cleaned[name], "pk", cleaned[name]) for name in self.names)
        self.sort = sort

    def count(self) -> int:
        rows = _list_query(("count", self.names))(*self.values)
        return rows[0][0] if rows else 0

    def __getitem__(self, page: slice) -> list[Recommendation]:
        if page.stop <= page.start:
            return []  # the first page of nothing (Django would not make the SQL)
        query = _list_query(("page", self.names, self.sort, page.start, page.stop))
        return query.objects(*self.values)


#: The list's filters that `FilteredList` takes: all but the search (a filter added to
#: RecommendationFilter and not here goes through the filter set's queryset).
PLAIN_FILTERS = ("status", "section", "owner", "board")
#: The list's queries by what they are for (see `FilteredList`); forgotten past the limit.
_LIST_QUERIES: dict[tuple, Prepared] = {}
LIST_QUERIES_KEPT = 512


def _list_query(key: tuple) -> Prepared:
    query = _LIST_QUERIES.get(key)
    if query is None:
        if len(_LIST_QUERIES) >= LIST_QUERIES_KEPT:
            _LIST_QUERIES.clear()
        query = _LIST_QUERIES[key] = Prepared(
            lambda *markers: _list_queryset(key, markers), len(key[1])
        )
    return query


def _list_queryset(key: tuple, markers: tuple[int, ...]) -> QuerySet:
    """The queryset behind a `_list_query`, with markers for the filters' values."""
    kind, names, *page = key
    queryset = Recommendation.objects.all()
    for name, marker in zip(names, markers, strict=True):
        list_filter = RecommendationFilter.base_filters[name]
        is_model = isinstance(list_filter, ModelChoiceFilter)
        queryset = list_filter.filter(queryset, marker if is_model else str(marker))
    if kind == "count":
        # One row: the number of rows the filters give, as `QuerySet.count()` counts them.
        return (
            queryset.order_by()
            .annotate(all=Value(1))
            .values("all")
            .annotate(count=Count("*"))
            .values_list("count")
        )
    sort, start, stop = page
    _, ordering = SORT_ORDERS[sort]
    return queryset.order_by(*ordering).only(*LIST_FIELDS)[start:stop]


class ListRow(NamedTuple):
    """One recommendation as the list shows it: every value ready to print. Worked out in
    Python (a function called from a template costs several times one called here)."""

    number: int
    path: str
    #: Where a search matched its text (HTML, words marked), or its first 35 words.
    summary: str
    #: Where a search matched its newest matching update instead (HTML), if so.
    update_snippet: str | None
    status: str
    status_label: str
    owners: str
    #: The date of its last update, as the machine-readable and the shown text ("" if none).
    updated_iso: str
    updated: str

    @classmethod
    def of(cls, recommendation: Recommendation, detail: Callable[..., str]) -> ListRow:
        """`recommendation` as the list shows it; `detail` makes its page's link."""
        snippet = getattr(recommendation, "snippet", None)
        last_updated = recommendation.last_updated
        return cls(
            number=recommendation.number,
            path=detail(number=recommendation.number),
            summary=snippet or truncatewords(recommendation.text, 35),
            update_snippet=getattr(recommendation, "update_snippet", None),
            status=recommendation.status,
            status_label=STATUS_LABELS[recommendation.status],
            owners=recommendation.owners_shown or "None recorded",
            updated_iso=date(last_updated, "Y-m-d") if last_updated else "",
            updated=date(last_updated) if last_updated else "",
        )


#: Every recommendation's owners, lead first then by name (see prepared.py).
OWNERS_SHOWN = Prepared(
    lambda: Ownership.objects.order_by("-is_lead", "organisation__name").values_list(
        "recommendation_id", "is_lead", "organisation__name", "organisation__acronym"
    ),
    0,
)


def _attach_owners(recommendations, stamp: str | None) -> None:
    """Give each recommendation `owners_shown`: its owners as the list shows them, lead first
    then by name, e.g. "MPS (lead), LAS". Read for every recommendation at once and kept
    until the public data changes (freshness.remembered): no query for a list page then."""
    shown = remembered(stamp, "owners-shown", _all_owners_shown)
    for recommendation in recommendations:
        recommendation.owners_shown = shown.get(recommendation.pk, "")


def _all_owners_shown() -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    for pk, is_lead, name, acronym in OWNERS_SHOWN():
        names[pk].append(f"{acronym or name} (lead)" if is_lead else acronym or name)
    return {pk: ", ".join(owners) for pk, owners in names.items()}


def _filter_fields(form, stamp: str | None) -> list[dict[str, Any]]:
    """The filter form's fields as the template draws them: plain strings, read from the
    request's values and each field's choices (bound fields and their widgets are slow),
    and each select's options as HTML (`_options`).

    A select's value is compared as Django's `stringformat:"s"` did: nothing chosen is
    "None", which no option has, so the browser shows the first (the "any" choice).
    """
    fields = []
    for name, field in form.fields.items():
        value = form.data.get(name)
        fields.append(
            {
                "name": name,
                "id": f"id_{name}",
                "label": field.label,
                "value": ("" if value is None else value) if name == "q" else str(value),
                "options": Markup() if name == "q" else _options(name, field, str(value), stamp),
            }
        )
    return fields


def _options(name: str, field, chosen: str, stamp: str | None) -> Markup:
    """A select's options as HTML, `chosen` selected. Each option's HTML is made once for
    each `stamp` of the public data (with the options, see `_choices`): the template
    escaped the value and label of some 70 options on every search and filter."""
    options = remembered(stamp, f"options-html:{name}", lambda: _option_parts(field, stamp))
    return Markup(
        "".join(
            f"{start} selected{end}" if value == chosen else start + end
            for value, start, end in options
        )
    )


def _option_parts(field, stamp: str | None) -> list[tuple[str, str, str]]:
    """Each option's value, and its HTML before and after where " selected" would go."""
    return [
        (
            value,
            f'\n          <option value="{escape(value)}"',
            f">{escape(label)}</option>\n          ",
        )
        for value, label in _choices(field, stamp)
    ]


def _choices(field, stamp: str | None) -> list[tuple[str, str]]:
    """A select's options as (value, label) strings, the empty ("any") choice first.

    The owner and board lists are read as plain rows, their SQL made once (see
    prepared.py): the same rows as the fields' querysets, without model instances; and
    only once the public data has changed (freshness.remembered): two queries fewer for
    each search and filter.
    """
    if isinstance(field, ModelChoiceField):
        model = field.queryset.model
        options = remembered(stamp, f"options:{model._meta.label}", CHOICES[model])
        return [("", field.empty_label), *options]
    return [(str(value), label) for value, label in field.choices]


#: The filter's owner and board options: (slug, how each is named, as its `__str__`).
CHOICES = {
    Organisation: Prepared(
        lambda: (
            RecommendationFilter.base_filters["owner"]
            .queryset.order_by("name")
            .values_list("slug", Coalesce(NullIf("acronym", Value("")), "name"))
        ),
        0,
    ),
    Board: Prepared(
        lambda: (
            RecommendationFilter.base_filters["board"]
            .queryset.order_by("name")
            .values_list("slug", "name")
        ),
        0,
    ),
}


def _detail_queryset() -> QuerySet[Recommendation]:
    """Recommendations, each with whether any meeting's item or action names it: most
    recommendations have neither, and then their two (costly) queries are not made."""
    items = AgendaItem.recommendations.through.objects.filter(recommendation=OuterRef("pk"))
    actions = Action.recommendations.through.objects.filter(recommendation=OuterRef("pk"))
    return Recommendation.objects.annotate(in_agenda=Exists(items), in_actions=Exists(actions))


#: The largest number a recommendation can have (the column's range on every database).
LARGEST_NUMBER = 2_147_483_647


class RecommendationDetailView(DetailView):
    """One recommendation: text, owners, related, history, and the boards' work on it.

    Every list on the page is one plain query on its own table: prefetching (and its
    model instances) cost more than the page's rendering; and each query's SQL is made
    once (see prepared.py), which was most of the rest.
    """

    slug_field = slug_url_kwarg = "number"
    template_name = "public/recommendation_detail.html"

    def get_queryset(self) -> QuerySet[Recommendation]:
        return _detail_queryset()

    def get_object(self, queryset: QuerySet | None = None) -> Recommendation:
        number = self.kwargs["number"]
        found = RECOMMENDATION.objects(number) if number <= LARGEST_NUMBER else []
        if not found:
            raise Http404(f"There is no recommendation {number}.")
        return found[0]

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        recommendation = self.object
        return super().get_context_data(
            owners=_owners(recommendation),
            related_numbers=[number for (number,) in RELATED(recommendation.pk)],
            target_date_changes=TARGET_DATE_CHANGES.objects(recommendation.pk),
            updates=_with_public_evidence(UPDATES.objects(recommendation.pk)),
            boards=[{"name": name, "slug": slug} for name, slug in BOARDS(recommendation.pk)],
            agenda_items=_agenda_items(recommendation),
            actions=_actions(recommendation),
            **_neighbours(recommendation.number),
            **kwargs,
        )


def _agenda_items(recommendation: Recommendation) -> list[AgendaItem]:
    """The public agenda items on it; none asked for when no item names it at all."""
    if not recommendation.in_agenda:
        return []
    return AGENDA_ITEMS.objects(recommendation.pk)


def _actions(recommendation: Recommendation) -> list[Action]:
    """The public actions on it and where they now stand; none asked for when no action
    names it at all."""
    if not recommendation.in_actions:
        return []
    return where_actions_stand(ACTIONS.objects(recommendation.pk))


#: The page's queries, by the recommendation's primary key (or number): see prepared.py.
RECOMMENDATION = Prepared(lambda number: _detail_queryset().filter(number=number))
TARGET_DATE_CHANGES = Prepared(lambda pk: TargetDateChange.objects.filter(recommendation=pk))
UPDATES = Prepared(
    lambda pk: (
        ProgressUpdate.objects.filter(recommendation=pk)
        .published()
        .newest_first()
        .annotate(submission_pk=F("submission"))
    )
)
AGENDA_ITEMS = Prepared(lambda pk: AgendaItem.objects.public_on(pk))
ACTIONS = Prepared(
    lambda pk: Action.objects.public_on(pk).select_related("carried_from__meeting__board")
)
OWNERS = Prepared(
    lambda pk: (
        Ownership.objects.filter(recommendation_id=pk)
        .order_by("-is_lead", "organisation__name")
        .values_list(
            "is_lead", "organisation__slug", "organisation__name", "organisation__acronym"
        )
    )
)
RELATED = Prepared(
    lambda pk: (
        Recommendation.related.through.objects.filter(from_recommendation_id=pk)
        .order_by("to_recommendation__number")
        .values_list("to_recommendation__number")
    )
)
BOARDS = Prepared(
    lambda pk: Board.objects.filter(oversees__pk=pk).order_by("name").values_list("name", "slug")
)
NEIGHBOURS = Prepared(
    lambda number: (
        Recommendation.objects.order_by()
        .values(all=Value(True))
        .annotate(
            previous_number=Max("number", filter=Q(number__lt=number)),
            next_number=Min("number", filter=Q(number__gt=number)),
        )
        .values_list("previous_number", "next_number")
    )
)


def _owners(recommendation: Recommendation) -> list[dict[str, Any]]:
    """The owners, lead first then by name: each one's slug, display name and role."""
    return [
        {
            "is_lead": is_lead,
            "slug": slug,
            "display_name": Organisation(name=name, acronym=acronym).display_name,
        }
        for is_lead, slug, name, acronym in OWNERS(recommendation.pk)
    ]


def _neighbours(number: int) -> dict[str, int | None]:
    """The numbers either side, for the previous and next links, in one query."""
    [(previous_number, next_number)] = NEIGHBOURS(number)
    return {"previous_number": previous_number, "next_number": next_number}


def _with_public_evidence(updates: list[ProgressUpdate]) -> list[ProgressUpdate]:
    """The updates, each with `public_evidence`: the files its submission made public.

    Each update comes with its submission's id (`submission_pk`), if it came from one (a
    cheap join), so that the files are asked for only when some update has a submission:
    most have none.
    """
    by_update: dict[int, list[Evidence]] = {}
    submitted = [update.pk for update in updates if update.submission_pk is not None]
    if submitted:
        files = Evidence.objects.public().filter(submission__published_update__in=submitted)
        for file in files.annotate(update_id=F("submission__published_update")):
            by_update.setdefault(file.update_id, []).append(file)
    for update in updates:
        update.public_evidence = by_update.get(update.pk, [])
    return updates


@require_safe
def evidence_download(request: HttpRequest, number: int, pk: int) -> FileResponse:
    """An evidence file an officer made public, streamed from storage as a download.

    Anything else (not marked public, its submission not approved, its update withdrawn,
    another recommendation's) is a 404, as if it did not exist.
    """
    evidence = get_object_or_404(
        Evidence.objects.public(), pk=pk, submission__request__recommendation__number=number
    )
    return evidence_files.file_response(evidence)


#: The organisation page's queries, by the organisation's primary key: see prepared.py.
OWNED_TALLY = Prepared(
    lambda pk: (
        Recommendation.objects.filter(owners=pk)
        .current()
        .order_by()
        .values("status_as_at")
        .annotate(n=Count("pk"))
        .values_list("status_as_at", "n")
    )
)
OWNED = Prepared(
    lambda pk: (
        Ownership.objects.filter(organisation_id=pk)
        .order_by("recommendation__number")
        .values_list(
            "recommendation__number", "recommendation__text", "recommendation__status", "is_lead"
        )
    )
)
MEMBER_OF = Prepared(
    lambda pk: Board.objects.filter(members=pk).order_by("name").values_list("name", "slug")
)


class OrganisationDetailView(DetailView):
    """One owner's recommendations, their status and how many of each."""

    model = Organisation
    template_name = "public/organisation_detail.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        organisation = self.object
        tally = StatusTally.from_rows(OWNED_TALLY(organisation.pk))
        return super().get_context_data(
            tally=tally,
            bars=status_bars(tally, {"owner": organisation.slug}),
            ownerships=_owned(organisation),
            boards=[{"name": name, "slug": slug} for name, slug in MEMBER_OF(organisation.pk)],
            list_query=urlencode({"owner": organisation.slug}),
            **kwargs,
        )


def _owned(organisation: Organisation) -> list[dict[str, Any]]:
    """The organisation's recommendations by number, as plain rows: number, text, status
    and its label, and whether it leads (no model instances to build for a table)."""
    return [
        {
            "number": number,
            "text": text,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "is_lead": is_lead,
        }
        for number, text, status, is_lead in OWNED(organisation.pk)
    ]


@require_safe
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    """The year's progress report, in the source's sections and order, built from the data."""
    years = reports.report_years()
    context = reports.annual_report_context(year, years)
    if context is None:
        return report_missing(request, year, years)
    context["site_url"] = request.build_absolute_uri("/").removesuffix("/")
    return render(request, "public/report_detail.html", context)


def report_missing(
    request: HttpRequest, year: int, years: list[int] | None = None
) -> HttpResponse:
    """A 404 for a year without a report, naming the years there are (`years`, when the
    caller has already read them)."""
    if years is None:
        years = reports.report_years()
    context = {"year": year, "years": years}
    return render(request, "public/report_missing.html", context, status=404)


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    filterset = RecommendationFilter(request.GET, queryset=Recommendation.objects.all())
    errors = filter_errors(filterset)
    if errors and fmt == "json":
        response = JsonResponse({"errors": errors}, status=400)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    if errors:
        return HttpResponseBadRequest(
            "Bad request: " + "; ".join(errors) + "\n", content_type="text/plain; charset=utf-8"
        )
    records = opendata.rows(filterset.qs.order_by("number"), request.build_absolute_uri)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(
            opendata.buffered(opendata.csv_lines(records)), content_type="text/csv; charset=utf-8"
        )
    else:
        meta = {
            "source": request.build_absolute_uri(),
            "generated": timezone.now().isoformat(timespec="seconds"),
            "filters": {k: v for k, v in filterset.form.cleaned_data.items() if v},
        }
        meta["filters"] = {k: str(getattr(v, "slug", v)) for k, v in meta["filters"].items()}
        response = StreamingHttpResponse(
            opendata.buffered(opendata.json_chunks(records, meta)),
            content_type="application/json",
        )
    response["Content-Disposition"] = (
        f'attachment; filename="harris-review-recommendations-{stamp}.{fmt}"'
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def recommendations_csv(request: HttpRequest) -> HttpResponse:
    """Open data: one CSV row per recommendation, with the list's filters."""
    return _download(request, "csv")


@require_safe
def recommendations_json(request: HttpRequest) -> HttpResponse:
    """Open data: the same rows as JSON."""
    return _download(request, "json")
