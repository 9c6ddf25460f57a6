"""Public views of the recommendations."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from recommendations import opendata
from recommendations.filters import RecommendationFilter, filter_errors
from recommendations.models import Recommendation


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    filterset = RecommendationFilter(request.GET, queryset=Recommendation.objects.all())
    errors = filter_errors(filterset)
    if errors:
        return HttpResponseBadRequest(
            "Bad request: " + "; ".join(errors) + "\n", content_type="text/plain; charset=utf-8"
        )
    records = opendata.rows(filterset.qs.order_by("number"))
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(
            opendata.csv_lines(records), content_type="text/csv; charset=utf-8"
        )
    else:
        meta = {
            "source": request.build_absolute_uri(),
            "generated": timezone.now().isoformat(timespec="seconds"),
            "filters": {k: v for k, v in filterset.form.cleaned_data.items() if v},
        }
        meta["filters"] = {k: str(getattr(v, "slug", v)) for k, v in meta["filters"].items()}
        response = StreamingHttpResponse(
            opendata.json_chunks(records, meta), content_type="application/json"
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
