"""Benchmark: preview and import 20,000 progress updates from a CSV, export the position.

    make bench-import                      # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench make bench-import

It migrates a scratch database (a temporary SQLite file, or the PostgreSQL database named
by DATABASE_URL, which must exist and is emptied of tracker data first), creates 20,000
recommendations, previews a generated 20,000-row updates CSV through the same service as
the admin (`import_updates(dry_run=True)`: every row checked, nothing written), imports it
(every row checked, then all written in bulk with their history rows, and the positions
refreshed once with the recommendations locked), then exports the year's position for all
20,000 as CSV and XLSX (`PositionResource`, as the admin does). It prints rows/second and
peak memory: Python's allocations (tracemalloc, measured in a second, slower run of each
phase) and the process's peak resident size. Results go to bench/results/ too.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's name would shadow the django-import-export package: look from the root instead.
sys.path[0] = str(ROOT)


def setup(database_url: str | None) -> str:
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='tracker-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harris_tracker.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Production runs with DEBUG off: the query log DEBUG keeps (formatting every query
    # of a bulk insert) would be measured, not the import.
    settings.DEBUG = False

    call_command("migrate", verbosity=0)
    return database_url


def reset(count: int) -> None:
    from recommendations.models import ProgressUpdate, Recommendation

    ProgressUpdate.history.all().delete()
    Recommendation.objects.update(latest_update=None)
    ProgressUpdate.objects.all()._raw_delete(ProgressUpdate.objects.db)
    Recommendation.objects.all().delete()
    Recommendation.objects.bulk_create(
        (Recommendation(number=n, text=f"Recommendation {n} of the benchmark.") for n in
         range(1, count + 1)),
        batch_size=2000,
    )  # fmt: skip


def updates_csv(count: int) -> bytes:
    lines = ["recommendation,date,status,update"]
    statuses = ["Resolved", "Ongoing", "Resolved by other means"]
    for i in range(count):
        date = datetime.date(2017, 10, 31) + datetime.timedelta(days=i % 300)
        lines.append(
            f'{i + 1},{date:%d/%m/%Y},{statuses[i % 3]},"Progress on item {i + 1}: training '
            f'delivered, plans tested, partners briefed; next review in six months."'
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(data: bytes, user, dry_run: bool = False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recommendations.imports import import_updates

    report = import_updates(
        dataset_or_file=SimpleUploadedFile("updates.csv", data),
        user=user,
        publish=True,
        dry_run=dry_run,
    )
    assert report.ok, report.problems[:5]
    return report


def run_preview(data: bytes, user):
    return run_import(data, user, dry_run=True)


def run_export(as_at: datetime.date) -> tuple[int, int]:
    from import_export.formats.base_formats import CSV, XLSX

    from recommendations.models import Recommendation
    from recommendations.resources import PositionResource

    dataset = PositionResource(as_at=as_at).export(Recommendation.objects.all())
    csv_size = len(CSV().export_data(dataset))
    xlsx_size = len(XLSX().export_data(dataset))
    return csv_size, xlsx_size


def measure(label: str, rows: int, function, *args, traced: bool):
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    outcome = function(*args)
    seconds = time.perf_counter() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 1_048_576
        tracemalloc.stop()
    return {"phase": label, "rows": rows, "seconds": seconds, "peak_python_mb": peak}, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args()

    database_url = setup(os.environ.get("DATABASE_URL"))
    from django.contrib.auth import get_user_model
    from django.db import connection

    from recommendations.models import ProgressUpdate

    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    data = updates_csv(args.rows)
    as_at = datetime.date(2018, 10, 31)
    results = []
    for traced in [False] if args.no_tracemalloc else [False, True]:
        reset(args.rows)
        preview, report = measure("preview", args.rows, run_preview, data, user, traced=traced)
        assert report.new == args.rows and not ProgressUpdate.objects.exists()
        timing, report = measure("import", args.rows, run_import, data, user, traced=traced)
        assert report.new == args.rows and ProgressUpdate.objects.count() == args.rows
        assert ProgressUpdate.history.count() == args.rows
        export_timing, sizes = measure("export", args.rows, run_export, as_at, traced=traced)
        phases = [preview, timing, export_timing]
        if not traced:
            results = phases
        else:
            for result, phase in zip(results, phases, strict=True):
                result["peak_python_mb"] = phase["peak_python_mb"]

    summary = {
        "database": connection.vendor,
        "rows": args.rows,
        "csv_bytes": len(data),
        "export_sizes": {"csv": sizes[0], "xlsx": sizes[1]},
        "phases": results,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "python": sys.version.split()[0],
    }
    print(f"database: {connection.vendor} ({database_url.split('@')[-1]})")
    for phase in results:
        rate = phase["rows"] / phase["seconds"]
        memory = f", peak Python memory {phase['peak_python_mb']:.1f} MB" if phase[
            "peak_python_mb"] else ""  # fmt: skip
        print(
            f"{phase['phase']:>7}: {phase['rows']:,} rows in {phase['seconds']:.1f} s "
            f"= {rate:,.0f} rows/s{memory}"
        )
    print(f"peak resident memory of the process: {summary['peak_rss_mb']:.0f} MB")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"import_export-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(summary, indent=2)
    )


if __name__ == "__main__":
    main()
