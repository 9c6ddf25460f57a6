"""The open data described: /datapackage.json (a Frictionless Data Package) and /data/."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from public import freshness, opendata
from public.links import absolute
from recommendations.models import ProgressUpdate

LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
PUBLISHER = "Mayor's Office for Policing and Crime (MOPAC)"


@require_safe
def datapackage(request: HttpRequest) -> HttpResponse:
    """The CSV download as a Data Package: Table Schema, licence, publisher, last change."""
    package = data_package(
        csv_url=absolute(reverse("recommendations:download-csv")),
        homepage=absolute(reverse("public:data")),
        modified=last_modified(),
    )
    return JsonResponse(package, json_dumps_params={"indent": 2, "ensure_ascii": False})


@require_safe
def data_dictionary(request: HttpRequest) -> HttpResponse:
    """What each column of the downloads holds, with its type and an example."""
    return render(request, "public/data.html", {"fields": opendata.SCHEMA_FIELDS})


def last_modified() -> datetime.datetime | None:
    """When the public data last changed; before any change is counted, the latest update."""
    changed = freshness.last_changed()
    if changed is not None:
        return changed
    latest = ProgressUpdate.objects.published().aggregate(latest=Max("modified_at"))["latest"]
    return latest


def data_package(
    *, csv_url: str, homepage: str, modified: datetime.datetime | None
) -> dict[str, Any]:
    """The package's descriptor, whose one resource is the CSV of every recommendation."""
    fields = [
        {key: value for key, value in field.items() if key != "example"}
        for field in opendata.SCHEMA_FIELDS
    ]
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "harris-review-recommendations",
        "title": "Harris Review recommendations and their progress",
        "description": "The 127 recommendations of the Harris Review into London's "
        "Preparedness to Respond to a Major Terrorist Incident (October 2016), their owners, "
        "status and latest published progress update.",
        "homepage": homepage,
        "licenses": [LICENCE],
        "contributors": [{"title": PUBLISHER, "role": "publisher"}],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "recommendations",
                "path": csv_url,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": {"fields": fields, "primaryKey": ["number"]},
            }
        ],
    }
    if modified is not None:
        package["lastModified"] = modified.isoformat(timespec="seconds")
    return package
