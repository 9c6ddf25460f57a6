"""Build `fixtures/recommendations.json` from the text of the October 2017 progress report.

    .venv/bin/python tools/build_recommendations_fixture.py [--source PATH] [--output PATH]

The fixture is written straight from the parsed report in Django's serialization format,
without a database, and deterministically: the same report gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, only tools/ is on the path; the package imports below need the project.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from django.utils.text import slugify  # noqa: E402

from tools.report_parser import ORGANISATIONS, ParsedRecommendation, parse_report  # noqa: E402

DEFAULT_SOURCE = ROOT / "fixtures" / "sources" / "progress-report-2017.txt"
DEFAULT_OUTPUT = ROOT / "fixtures" / "recommendations.json"

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
            raise ValueError(f"two organisations have the slug '{slug}'")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the report's text")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write")
    args = parser.parse_args(argv)
    try:
        recommendations = parse_report(args.source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"{args.source}: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_fixture(recommendations), encoding="utf-8", newline="\n")
    print(f"Wrote {len(recommendations)} recommendations to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
