"""The public site's recommendation pages: the progress report, the list, one recommendation,
one organisation, the annual report and the open-data downloads."""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Exists, F, OuterRef, QuerySet
from django.forms import BoundField
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
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from boards.models import Action, AgendaItem
from public import freshness, opendata, reports, search
from public.filters import (
    DEFAULT_SORT,
    SORT_ORDERS,
    RecommendationFilter,
    filter_errors,
    parameter_errors,
    sort_errors,
)
from public.forms import AsAtForm
from public.links import absolute
from public.views.boards import where_actions_stand
from recommendations.models import (
    LinkKind,
    Organisation,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Section,
    StatusTally,
)
from reporting import evidence as evidence_files
from reporting.models import Evidence

LATEST_UPDATES_SHOWN = 10


def _list_url(**filters: str) -> str:
    return f"{reverse('recommendations:list')}?{urlencode(filters)}"


def status_bars(
    tally: StatusTally, filters: dict[str, str] | None, list_path: str = ""
) -> list[dict[str, Any]]:
    """Each status's count, with a link to the list filtered to it (and to `filters`).

    No links when `filters` is None: a position on a past date (`?as_at=`) is not what the
    list, which shows today's status, would give. `list_path`: the list's URL, when the
    caller has it already (a table of many rows reverses it once).
    """
    list_path = list_path or reverse("recommendations:list")
    return [
        {
            "item": item,
            "url": None
            if filters is None
            else f"{list_path}?{urlencode({**filters, 'status': item.slug})}",
        }
        for item in tally.by_status
    ]


def _tally_rows(
    tallies: dict[tuple, StatusTally], label, url, filters, linked: bool
) -> list[dict[str, Any]]:
    """Rows for includes/tally_table.html: a label, a link, and each status's count with a
    link to the list filtered to that group and status (when `linked`)."""
    list_path = reverse("recommendations:list")
    return [
        {
            "label": label(key),
            "url": url(key),
            "tally": tally,
            "statuses": status_bars(tally, filters(key) if linked else None, list_path),
        }
        for key, tally in tallies.items()
    ]


def _tallies(recommendations: QuerySet[Recommendation]) -> tuple[StatusTally, dict, dict]:
    """The progress report's figures: the whole, by section and by owner (three queries)."""
    return (
        recommendations.tally(),
        recommendations.tally_by("section"),
        recommendations.tally_by("owners__name", "owners__slug"),
    )


@require_safe
def progress_report(request: HttpRequest) -> HttpResponse:
    """The summary: each status out of the total, by section and by owner, latest updates."""
    form = AsAtForm(request.GET)
    errors = parameter_errors(request.GET, known=("as_at",))
    errors += form.error_messages()
    as_at = form.cleaned_data["as_at"] if form.is_valid() and not errors else None
    updates = ProgressUpdate.objects.published().select_related("recommendation").newest_first()
    if as_at:
        updates = updates.filter(date__lte=as_at)
        tally, by_section, by_owner = _tallies(Recommendation.objects.as_at(as_at))
    else:
        # Counted over every recommendation: kept until the public data changes.
        tallies = partial(_tallies, Recommendation.objects.current())
        tally, by_section, by_owner = freshness.kept("progress-tallies", tallies)
    linked = not as_at and not errors
    context = {
        "form": form,
        "errors": errors,
        "as_at": as_at,
        "tally": tally,
        "bars": status_bars(tally, {} if linked else None),
        "by_section": _tally_rows(
            {(s.value,): by_section[(s.value,)] for s in Section if (s.value,) in by_section},
            label=lambda key: Section(key[0]).label,
            url=lambda key: _list_url(section=key[0]),
            filters=lambda key: {"section": key[0]},
            linked=linked,
        ),
        "by_owner": _tally_rows(
            by_owner,
            label=lambda key: key[0],
            url=lambda key: reverse("recommendations:organisation", args=[key[1]]),
            filters=lambda key: {"owner": key[1]},
            linked=linked,
        ),
        "latest_updates": updates[:LATEST_UPDATES_SHOWN],
        "report_years": reports.report_years(),
        "last_changed": freshness.last_changed(),
    }
    status = 400 if errors else 200
    return render(request, "public/progress_report.html", context, status=status)


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

    def get_queryset(self) -> QuerySet[Recommendation]:
        if self.errors:
            return Recommendation.objects.none()
        _, ordering = SORT_ORDERS[self.sort]
        return self.filterset.ordered(*ordering).with_owners()

    def paginate_queryset(self, queryset: QuerySet[Recommendation], page_size: int) -> tuple:
        """A search runs once, for what it finds in order; then only the page's rows are
        read, with their snippets. (Counting the matches and reading a page ran the whole
        search twice: 60 ms each at 10,000 recommendations and 100,000 updates.)"""
        value = self.filterset.form.cleaned_data.get("q") if not self.errors else None
        if not value:
            return super().paginate_queryset(queryset, page_size)
        found = list(queryset.values_list("pk", flat=True))
        paginator, page, on_page, is_paginated = super().paginate_queryset(found, page_size)
        rows = search.with_headlines(Recommendation.objects.filter(pk__in=on_page), value)
        by_pk = {row.pk: row for row in rows.with_owners()}
        page.object_list = [by_pk[pk] for pk in on_page]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        filters = {
            name: value
            for name, value in self.request.GET.items()
            if name in self.filterset.filters and value
        }
        context = super().get_context_data(
            filter=self.filterset,
            filter_fields=[_field_and_choices(field) for field in self.filterset.form],
            errors=self.errors,
            sort=self.sort,
            sort_choices=[(value, label) for value, (label, _) in SORT_ORDERS.items()],
            filter_query=urlencode(filters),
            is_filtered=bool(filters),
            **kwargs,
        )
        if filters.get("q") and not self.errors:
            search.attach_snippets(context["object_list"], filters["q"])
        return context


def _field_and_choices(field: BoundField) -> dict[str, Any]:
    """A filter field with its value and its options as strings, each read once (a select's
    options are a query, and a bound field's value is worked out anew on every read)."""
    value = field.value()
    return {
        "field": field,
        "value": "" if value is None else str(value),
        "choices": [(str(key), label) for key, label in getattr(field.field, "choices", ())],
    }


class RecommendationDetailView(DetailView):
    """One of the default review's recommendations: text, owners, response, its links to
    others (of any review), history, and the boards' work on it."""

    # Whether any meeting's item or action names it: most recommendations have neither, and
    # then their queries (and the actions' carry chains) are not made.
    queryset = (
        Recommendation.objects.of_default_review()
        .with_owners()
        .prefetch_related("target_date_changes")
        .annotate(
            in_agenda=Exists(
                AgendaItem.recommendations.through.objects.filter(recommendation=OuterRef("pk"))
            ),
            in_actions=Exists(
                Action.recommendations.through.objects.filter(recommendation=OuterRef("pk"))
            ),
        )
    )
    slug_field = slug_url_kwarg = "number"
    template_name = "public/recommendation_detail.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        recommendation = self.object
        others = Recommendation.objects.filter(review_id=recommendation.review_id).values_list(
            "number", flat=True
        )
        links = RecommendationLink.objects.seen_from(recommendation)
        return super().get_context_data(
            related_links=[link for link in links if link.kind == LinkKind.RELATED],
            typed_links=[link for link in links if link.kind != LinkKind.RELATED],
            superseded_by=[link for link in links if link.supersedes_this],
            updates=_with_public_evidence(
                recommendation.updates.published()
                .newest_first()
                .annotate(submission_pk=F("submission"))
            ),
            boards=recommendation.overseeing_boards.all(),
            agenda_items=AgendaItem.objects.public_on(recommendation)
            if recommendation.in_agenda
            else [],
            actions=where_actions_stand(
                Action.objects.public_on(recommendation).select_related(
                    "carried_from__meeting__board"
                )
            )
            if recommendation.in_actions
            else [],
            previous_number=others.filter(number__lt=recommendation.number)
            .order_by("-number")[:1]
            .first(),
            next_number=others.filter(number__gt=recommendation.number)
            .order_by("number")[:1]
            .first(),
            **kwargs,
        )


def _with_public_evidence(updates: QuerySet[ProgressUpdate]) -> list[ProgressUpdate]:
    """The updates (annotated with `submission_pk`), each with `public_evidence`: the files
    its submission made public."""
    updates = list(updates)
    by_update: dict[int, list[Evidence]] = {}
    # Only an update that came from an owner's submission can have files: most have none.
    submitted = [update.pk for update in updates if update.submission_pk is not None]
    files = Evidence.objects.public().filter(submission__published_update__in=submitted)
    for file in files.annotate(update_id=F("submission__published_update")) if submitted else []:
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


class OrganisationDetailView(DetailView):
    """One owner's recommendations, their status and how many of each."""

    model = Organisation
    template_name = "public/organisation_detail.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        organisation = self.object
        tally = Recommendation.objects.filter(owners=organisation).current().tally()
        return super().get_context_data(
            tally=tally,
            bars=status_bars(tally, {"owner": organisation.slug}),
            ownerships=organisation.ownerships.select_related("recommendation").order_by(
                "recommendation__number"
            ),
            boards=organisation.boards.all(),
            list_query=urlencode({"owner": organisation.slug}),
            **kwargs,
        )


@require_safe
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    """The year's progress report, in the source's sections and order, built from the data."""
    try:
        context = reports.annual_report_context(year, page=request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(f"There is no such page of the report: {error}") from None
    if context is None:
        return report_missing(request, year)
    context["site_url"] = settings.SITE_URL
    return render(request, "public/report_detail.html", context)


def report_missing(request: HttpRequest, year: int) -> HttpResponse:
    """A 404 for a year without a report, naming the years there are."""
    context = {"year": year, "years": reports.report_years()}
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
    records = opendata.rows(filterset.qs.order_by("number"), absolute)
    # The first row is read now: a database that fails is then an error page (a 503), not a
    # download broken after its first bytes.
    records = itertools.chain(list(itertools.islice(records, 1)), records)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(
            opendata.buffered(opendata.csv_lines(records)), content_type="text/csv; charset=utf-8"
        )
    else:
        meta = {
            "source": absolute(request.get_full_path()),
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
