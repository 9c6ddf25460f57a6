"""Build `fixtures/recommendations.json` from the text of the October 2017 progress report.

    python manage.py build_recommendations_fixture [--source PATH] [--output PATH]

The fixture is written straight from the parsed report in Django's serialization format,
without a database, and deterministically: the same report gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from recommendations.report_parser import ORGANISATIONS, ParsedRecommendation, parse_report

DEFAULT_SOURCE = Path("fixtures/sources/progress-report-2017.txt")
DEFAULT_OUTPUT = Path("fixtures/recommendations.json")

#: The Harris Review was published in October 2016.
MADE_ON = "2016-10-31"
#: The report is dated October 2017 and gives no day (it mentions a London CONTEST Board
#: meeting of 20 October 2017): its updates are dated the last day of that month.
UPDATE_DATE = "2017-10-31"
UPDATE_TIMESTAMP = f"{UPDATE_DATE}T00:00:00Z"
UPDATE_SOURCE = "Progress Report – One Year On, October 2017"


def fixture_objects(recommendations: list[ParsedRecommendation]) -> list[dict[str, Any]]:
    """The fixture's objects: organisations, recommendations, ownerships, progress updates.

    Primary keys are stable: organisations numbered in order of their key, recommendations
    and their (one) progress updates by recommendation number, ownerships in number order,
    the lead first and the others in order of their key.
    """
    organisation_pks = {key: pk for pk, key in enumerate(sorted(ORGANISATIONS), start=1)}
    objects: list[dict[str, Any]] = []

    slugs: set[str] = set()
    for key, pk in organisation_pks.items():
        spec = ORGANISATIONS[key]
        slug = slugify(spec.acronym or spec.name)
        if slug in slugs:
            raise CommandError(f"two organisations have the slug '{slug}'")
        slugs.add(slug)
        objects.append(
            {
                "model": "recommendations.organisation",
                "pk": pk,
                "fields": {"name": spec.name, "acronym": spec.acronym, "slug": slug},
            }
        )

    by_number = sorted(recommendations, key=lambda rec: rec.number)
    for rec in by_number:
        objects.append(
            {
                "model": "recommendations.recommendation",
                "pk": rec.number,
                "fields": {
                    "number": rec.number,
                    "text": rec.text,
                    "section": rec.section.value,
                    "made_on": MADE_ON,
                    "related": sorted(rec.related),
                    # The stored position: what its one published update says.
                    "status": rec.status.value,
                    "last_updated": UPDATE_DATE,
                    "latest_update": rec.number,
                },
            }
        )

    ownership_pk = 0
    for rec in by_number:
        lead, *others = rec.owners
        for key in [lead, *sorted(others)]:
            ownership_pk += 1
            objects.append(
                {
                    "model": "recommendations.ownership",
                    "pk": ownership_pk,
                    "fields": {
                        "recommendation": rec.number,
                        "organisation": organisation_pks[key],
                        "is_lead": key == lead,
                    },
                }
            )

    for rec in by_number:
        objects.append(
            {
                "model": "recommendations.progressupdate",
                "pk": rec.number,
                "fields": {
                    "recommendation": rec.number,
                    "date": UPDATE_DATE,
                    "text": rec.update_text,
                    "status": rec.status.value,
                    "source": UPDATE_SOURCE,
                    "published": True,
                    "entered_by": None,
                    "created_at": UPDATE_TIMESTAMP,
                    "modified_at": UPDATE_TIMESTAMP,
                },
            }
        )
    return objects


def render_fixture(recommendations: list[ParsedRecommendation]) -> str:
    """The fixture file's text: indented, keys sorted, non-ASCII kept, a final newline."""
    objects = fixture_objects(recommendations)
    return json.dumps(objects, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Build the recommendations fixture from the text of the October 2017 progress report."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help=f"The report's text (default: {DEFAULT_SOURCE}).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help=f"Where to write the fixture (default: {DEFAULT_OUTPUT}).",
        )

    def handle(self, *args, source: Path | None, output: Path | None, **options):
        source = source or Path(settings.BASE_DIR) / DEFAULT_SOURCE
        output = output or Path(settings.BASE_DIR) / DEFAULT_OUTPUT
        try:
            report_text = source.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read the report: {error}") from error
        try:
            recommendations = parse_report(report_text)
        except ValueError as error:
            raise CommandError(f"{source}: {error}") from error
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_fixture(recommendations), encoding="utf-8", newline="\n")
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {len(recommendations)} recommendations to {output}")
        )
