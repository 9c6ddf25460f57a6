"""Write `fixtures/board_organisations.json` and `fixtures/boards.json` from the sources.

    python manage.py build_boards_fixture [--output-dir fixtures]

The records and the choices behind them are in `boards/board_records.py`; the output is
deterministic, and a test checks the committed files are what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from boards.board_records import board_organisations, boards_fixture


def dumps(objects: list[dict[str, Any]]) -> str:
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the boards' fixtures from the source documents in fixtures/sources/."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, default=Path("fixtures"))

    def handle(self, *args, output_dir: Path, **options):
        for name, objects in [
            ("board_organisations.json", board_organisations()),
            ("boards.json", boards_fixture()),
        ]:
            (output_dir / name).write_text(dumps(objects), encoding="utf-8")
            self.stdout.write(f"Wrote {len(objects)} objects to {output_dir / name}.")
